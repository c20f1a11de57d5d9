import ForecastMath
import PluginKit

/// A fitted ARIMA model: parameters, the Kalman filter at the end of the data, and the
/// levels needed to undo the differencing.
struct ARIMAModel: ConditionableModel {
    /// The fitted order.
    var specification: ARIMASpecification
    /// The fitted parameters.
    var parameters: ARIMAParameters
    /// The filter after the last observation (unit innovation variance).
    var filter: ARMAKalmanFilter
    /// The last values of `Δᵏz` (`k < d`), where `z` is the series minus the Fourier part.
    var levels: [Double]
    /// The Fourier regressors and their coefficients, when the seasonal option is on.
    var fourier: FourierRegressors?
    var fourierCoefficients: [Double]
    var lastTime: Int64
    var stepSeconds: Int64
    /// The physical range the forecasts are censored to, if any.
    var bounds: ClosedRange<Double>?
    /// The seasonal differencing period (0 = none); with it, ``history`` replaces ``levels``.
    var seasonalPeriod = 0
    /// The last `d + seasonalPeriod` values of `z` (oldest first), when seasonally differenced.
    var history: [Double] = []

    /// Empirical quantiles of the model's standardised errors per lead time (from its
    /// rolling-origin validation), which replace the Gaussian interval when present.
    var calibration: LeadTimeErrorQuantiles?
    /// Whether re-estimating the cycle on the newest weeks re-estimates the mean too
    /// (``ARIMAOptions/followLevel``).
    var followsLevel = false

    /// The period of the modelled cycle (0 when there is none).
    var dailyPeriod: Int { seasonalPeriod > 0 ? seasonalPeriod : fourier?.period ?? 0 }

    var polynomial: DifferencingPolynomial {
        DifferencingPolynomial(d: specification.d, period: max(seasonalPeriod, 1), seasonalOrder: seasonalPeriod > 0 ? 1 : 0)
    }

    /// The blob format's magic tag and version.
    static let magic = "ARIM"
    /// Version 2 adds the bounds, version 3 the seasonal factors' orders and lag (with them
    /// the AR and MA coefficients are the expanded polynomials) and the follow-level flag;
    /// version 1 and 2 blobs still load (no factors, not following the level).
    static let formatVersion: UInt32 = 3
    /// The longest seasonal lag a blob may hold (the expanded polynomials are order 8 plus it).
    static let maximumSeasonalLag = 10_000

    /// Point forecasts (with the Fourier part) and the model's forecast standard deviations.
    func meansAndDeviations(horizon: Int) -> (mean: [Double], deviation: [Double]) {
        var (means, deviations) = seasonalPeriod > 0
            ? SeasonalARIMAForecaster.forecast(filter: filter, parameters: parameters, polynomial: polynomial, history: history, horizon: horizon)
            : ARIMAForecaster.forecast(filter: filter, parameters: parameters, levels: levels, horizon: horizon)
        if let fourier {
            for h in 0..<horizon {
                means[h] += fourier.value(fourierCoefficients, time: lastTime + Int64(h + 1) * stepSeconds, step: stepSeconds)
            }
        }
        return (means, deviations)
    }

    func forecast(horizon: Int, level: Double) throws(PluginError) -> ForecastResult {
        let (means, deviations) = meansAndDeviations(horizon: horizon)
        let z = NormalDistribution.criticalValue(level: level)
        var mean = [Double](repeating: 0, count: horizon)
        var lower = mean, upper = mean
        for h in 0..<horizon {
            let value = means[h]
            mean[h] = value
            if let calibration {
                let (low, high) = calibration.offsets(level: level, lead: h + 1)
                lower[h] = min(value + low * deviations[h], value)
                upper[h] = max(value + high * deviations[h], value)
            } else {
                lower[h] = value - z * deviations[h]
                upper[h] = value + z * deviations[h]
            }
            if let bounds {
                // Quantiles of the forecast censored to the physical range are the clamped quantiles
                // (the mean is the median of the Gaussian forecast), so coverage is unchanged.
                mean[h] = min(max(mean[h], bounds.lowerBound), bounds.upperBound)
                lower[h] = min(max(lower[h], bounds.lowerBound), bounds.upperBound)
                upper[h] = min(max(upper[h], bounds.lowerBound), bounds.upperBound)
            }
        }
        // PluginExport validates every result (finite, ordered) before it crosses the ABI.
        return ForecastResult(mean: mean, lower: lower, upper: upper)
    }

    /// Calibrated intervals follow the season: conditioning on at least this many new steps
    /// recalibrates them on the model's own errors over the newest of them.
    static let recalibrationMinimum = 28 * 24 + IntervalCalibrationWindow.horizon

    /// The model after `newer` (NaN marks a missing value), as ``filtered(through:)``; with
    /// calibrated intervals and at least ``recalibrationMinimum`` new steps, the calibration
    /// is recomputed from the model's rolling-origin errors over the newest
    /// ``IntervalCalibrationWindow/steps`` of them (the size of weather's errors changes with
    /// the season; parameters are kept).
    func conditioned(on newer: Series) throws(PluginError) -> ARIMAModel {
        guard newer.count >= Self.recalibrationMinimum else { return try filtered(through: newer) }
        var (start, rest) = (self, newer)
        if let restart = cycleRestart(newer) { (start, rest) = restart }
        guard calibration != nil else { return try start.filtered(through: rest) }
        let window = IntervalCalibrationWindow.self
        let (next, errors) = try RollingOriginErrors.run(start, through: rest, origins: window.origins(count: rest.count, period: dailyPeriod),
                                                         horizon: window.horizon)
        var result = next
        if let recent = errors.calibration { result.calibration = recent }
        return result
    }

    /// The model after `newer` (NaN marks a missing value): the filter skips the update step
    /// of a missing value; with differencing its level is carried forward by the model's
    /// one-step prediction of the difference, which is what forecasting from the last
    /// observation would do. Parameters and calibration are kept.
    func filtered(through newer: Series) throws(PluginError) -> ARIMAModel {
        var next = self
        let polynomial = self.polynomial
        var pending: [Double] = []
        pending.reserveCapacity(newer.count)
        func flush() throws(PluginError) {
            guard !pending.isEmpty else { return }
            let ok = pending.withUnsafeBufferPointer { next.filter.filter($0) }
            guard ok, next.filter.state.allSatisfy(\.isFinite) else {
                throw .numerical("the Kalman filter failed while conditioning on \(newer.count) new observations")
            }
            pending.removeAll(keepingCapacity: true)
        }
        for (index, y) in newer.values.enumerated() {
            let time = newer.startTime + Int64(index) * newer.stepSeconds
            var value = y
            if let fourier { value -= fourier.value(fourierCoefficients, time: time, step: stepSeconds) }
            if seasonalPeriod > 0 {
                if value.isNaN {
                    try flush()
                    _ = polynomial.integrate(&next.history, next: parameters.mean + next.filter.prediction.mean)
                    pending.append(.nan)
                } else {
                    pending.append(polynomial.differenceNext(&next.history, value: value) - parameters.mean)
                }
                continue
            }
            if value.isNaN {
                if !next.levels.isEmpty {
                    try flush()
                    let predicted = parameters.mean + next.filter.prediction.mean
                    _ = Differencing.integrate(&next.levels, next: predicted)
                }
                pending.append(.nan)
                continue
            }
            // Δᵏzₜ = Δᵏ⁻¹zₜ - Δᵏ⁻¹zₜ₋₁, keeping each level for the next step.
            for k in 0..<next.levels.count {
                let previous = next.levels[k]
                next.levels[k] = value
                value -= previous
            }
            pending.append(value - parameters.mean)
        }
        try flush()
        next.lastTime = newer.count > 0 ? newer.lastTime : lastTime
        return next
    }

    /// Serialises the model (a few hundred bytes).
    var blob: [UInt8] {
        var writer = BlobWriter(magic: Self.magic, version: Self.formatVersion)
        writer.append(Int64(specification.p))
        writer.append(Int64(specification.d))
        writer.append(Int64(specification.q))
        writer.append(Int64(specification.constant ? 1 : 0))
        writer.append(parameters.mean)
        writer.append(parameters.ar)
        writer.append(parameters.ma)
        writer.append(parameters.variance)
        writer.append(filter.state)
        writer.append(filter.covariance)
        writer.append(Int64(filter.isSteady ? 1 : 0))
        writer.append(levels)
        writer.append(Int64(fourier?.period ?? 0))
        writer.append(Int64(fourier?.terms ?? 0))
        writer.append(fourierCoefficients)
        writer.append(lastTime)
        writer.append(stepSeconds)
        writer.append(Int64(bounds == nil ? 0 : 1))
        writer.append(bounds?.lowerBound ?? 0)
        writer.append(bounds?.upperBound ?? 0)
        writer.append(Int64(seasonalPeriod))
        writer.append(history)
        writer.append(calibration?.serialized ?? [])
        writer.append(Int64(specification.seasonalP))
        writer.append(Int64(specification.seasonalQ))
        writer.append(Int64(specification.seasonalLag))
        writer.append(Int64(followsLevel ? 1 : 0))
        return writer.bytes
    }

    /// Reads a blob written by ``blob``.
    init(blob: [UInt8]) throws(PluginError) {
        var reader = try BlobReader(blob, magic: Self.magic, supportedVersions: 1...3)
        let p = try reader.readInt("p", in: 0...8)
        let d = try reader.readInt("d", in: 0...2)
        let q = try reader.readInt("q", in: 0...8)
        let constant = try reader.readInt("constant flag", in: 0...1) == 1
        let mean = try reader.readFiniteDouble("mean")
        let ar = try reader.readDoubles("AR coefficients", maxCount: 8 + Self.maximumSeasonalLag)
        let ma = try reader.readDoubles("MA coefficients", maxCount: 8 + Self.maximumSeasonalLag)
        let variance = try reader.readFiniteDouble("sigma2")
        // The seasonal factors (version 3, at the end) are checked against the lengths there.
        guard ar.count >= p, ma.count >= q, variance > 0 else {
            throw .badModel("the model blob is corrupt: the coefficients do not match ARIMA(\(p),\(d),\(q))")
        }
        let model = ARMAStateSpace(ar: ar, ma: ma)
        let longest = max(ar.count, ma.count + 1, 9)
        let state = try reader.readDoubles("filter state", maxCount: longest)
        let covariance = try reader.readDoubles("filter covariance", maxCount: longest * longest)
        let steady = try reader.readInt("steady flag", in: 0...1) == 1
        guard state.count == model.dimension, covariance.count == model.dimension * model.dimension else {
            throw .badModel("the model blob is corrupt: the filter state does not match the order")
        }
        let levels = try reader.readDoubles("levels", maxCount: 2)
        guard levels.count == d || levels.isEmpty else { throw .badModel("the model blob is corrupt: \(levels.count) levels for d = \(d)") }
        let period = try reader.readInt("Fourier period", in: 0...10_000)
        let terms = try reader.readInt("Fourier terms", in: 0...12)
        let coefficients = try reader.readDoubles("Fourier coefficients", maxCount: 24)
        guard coefficients.count == 2 * terms, (period == 0) == (terms == 0) else {
            throw .badModel("the model blob is corrupt: Fourier terms do not match their coefficients")
        }
        let last = try reader.readTime("last time")
        let step = try reader.readStepSeconds("step")
        var bounds: ClosedRange<Double>?
        if reader.version >= 2, try reader.readInt("bounds flag", in: 0...1) == 1 {
            let lower = try reader.readFiniteDouble("lower bound"), upper = try reader.readFiniteDouble("upper bound")
            guard lower < upper else { throw .badModel("the model blob is corrupt: bounds [\(lower), \(upper)]") }
            bounds = lower...upper
        } else if reader.version >= 2 {
            _ = try reader.readFiniteDouble("lower bound")
            _ = try reader.readFiniteDouble("upper bound")
        }
        if reader.version >= 2 {
            seasonalPeriod = try reader.readInt("seasonal differencing period", in: 0...10_000)
            history = try reader.readDoubles("history", maxCount: 10_002)
            guard history.count == (seasonalPeriod > 0 ? seasonalPeriod + d : 0) else {
                throw .badModel("the model blob is corrupt: \(history.count) past values for seasonal period \(seasonalPeriod)")
            }
            let serialized = try reader.readDoubles("interval calibration", maxCount: 100_000)
            if !serialized.isEmpty {
                do throws(LeadTimeErrorQuantilesError) {
                    calibration = try LeadTimeErrorQuantiles(serialized: serialized)
                } catch {
                    throw .badModel("the model blob's interval calibration is corrupt: \(error)")
                }
            }
        }
        guard levels.count == (seasonalPeriod > 0 ? 0 : d) else {
            throw .badModel("the model blob is corrupt: \(levels.count) levels for d = \(d)")
        }
        var (seasonalP, seasonalQ, seasonalLag) = (0, 0, 0)
        if reader.version >= 3 {
            seasonalP = try reader.readInt("seasonal AR order", in: 0...1)
            seasonalQ = try reader.readInt("seasonal MA order", in: 0...1)
            seasonalLag = try reader.readInt("seasonal lag", in: 0...Self.maximumSeasonalLag)
            followsLevel = try reader.readInt("follow-level flag", in: 0...1) == 1
        }
        let lagValid = seasonalP + seasonalQ == 0 ? seasonalLag == 0 : seasonalLag > max(p, q)
        guard lagValid, ar.count == p + seasonalP * seasonalLag, ma.count == q + seasonalQ * seasonalLag else {
            throw .badModel("the model blob is corrupt: \(ar.count) AR and \(ma.count) MA coefficients for ARIMA(\(p),\(d),\(q))(\(seasonalP),0,\(seasonalQ))[\(seasonalLag)]")
        }
        try reader.requireEnd()
        self.bounds = bounds
        specification = ARIMASpecification(p: p, d: d, q: q, constant: constant, seasonalP: seasonalP,
                                           seasonalQ: seasonalQ, seasonalLag: seasonalLag)
        parameters = ARIMAParameters(mean: mean, ar: ar, ma: ma, variance: variance)
        filter = ARMAKalmanFilter(model: model, state: state, covariance: covariance, isSteady: steady)
        self.levels = levels
        fourier = terms > 0 ? FourierRegressors(period: period, terms: terms) : nil
        fourierCoefficients = coefficients
        lastTime = last
        stepSeconds = step
    }

    init(specification: ARIMASpecification, parameters: ARIMAParameters, filter: ARMAKalmanFilter, levels: [Double],
         fourier: FourierRegressors?, fourierCoefficients: [Double], lastTime: Int64, stepSeconds: Int64,
         bounds: ClosedRange<Double>? = nil, seasonalPeriod: Int = 0, history: [Double] = [], followsLevel: Bool = false) {
        self.bounds = bounds
        self.followsLevel = followsLevel
        self.seasonalPeriod = seasonalPeriod
        self.history = history
        self.specification = specification
        self.parameters = parameters
        self.filter = filter
        self.levels = levels
        self.fourier = fourier
        self.fourierCoefficients = fourierCoefficients
        self.lastTime = lastTime
        self.stepSeconds = stepSeconds
    }
}
