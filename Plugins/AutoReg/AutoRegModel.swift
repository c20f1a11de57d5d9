import ForecastMath
import PluginKit

/// A fitted autoregression that forecasts from the end of the series it has seen.
///
/// `y[t] = sum_j delta_j d_j(t) + sum_{i=1..p} phi_i y[t-i] + e[t]`, `e ~ N(0, sigma2)`,
/// with `d_j` the deterministic terms. Immutable, so `forecast` is safe to call from many
/// threads at once.
///
/// Missing observations (NaN) in the data it is conditioned on are replaced by the
/// model's own one-step forecasts, so it always forecasts from the end of the series.
struct AutoRegModel: ConditionableModel, Equatable {
    /// The deterministic terms (constant, trend, seasonal dummies) and their phase convention.
    let terms: DeterministicTerms
    /// Coefficients of the deterministic terms, in column order.
    let deterministicCoefficients: [Double]
    /// phi_1 ... phi_p.
    let lagCoefficients: [Double]
    /// The innovation variance: residual sum of squares / nobs (statsmodels' `sigma2`).
    let sigma2: Double
    /// The last p values, oldest first (missing ones already replaced by forecasts).
    let recent: [Double]
    /// How many observations precede the first forecast step: its 0-based time index,
    /// which drives the trend (`index + 1`) and the seasonal phase (`index mod period`).
    let observationCount: Int
    /// Time of the last observation (Unix seconds).
    let lastTime: Int64
    /// Seconds between observations.
    let stepSeconds: Int64
    /// The variable's physical range: means and interval bounds stay inside it.
    var bounds: ClosedRange<Double>? = nil
    /// Quantiles of the model's own standardized multi-step errors, or nil for the
    /// Gaussian intervals of the moving-average representation.
    var calibration: LeadTimeErrorQuantiles? = nil
    /// With a calibration: `phaseScales[h - 1][phase]`, the error scale at lead h for the
    /// hour of the day `phase` (time index mod the daily cycle's count; leads past the
    /// last row use it), or nil for the same at every hour.
    var phaseScales: [[Double]]? = nil

    /// The lag count p.
    var order: Int { lagCoefficients.count }

    /// The psi weights of the moving-average representation, psi_0 ... psi_(count-1).
    ///
    /// `psi_0 = 1`, `psi_j = sum_{i=1..min(j,p)} phi_i psi_(j-i)`: the response of y to one
    /// unit innovation j steps earlier (statsmodels' `arma2ma` of the AR polynomial).
    func psiWeights(_ count: Int) -> [Double] {
        var psi = [Double](repeating: 0, count: count)
        guard count > 0 else { return psi }
        psi[0] = 1
        // Without lags psi_j = 0 for j >= 1 (white noise around the deterministic terms).
        for j in 1..<max(count, 1) {
            var sum = 0.0
            for i in 0..<min(j, order) { sum += lagCoefficients[i] * psi[j - 1 - i] }
            psi[j] = sum
        }
        return psi
    }

    /// The Gaussian forecast standard deviations `sigma sqrt(sum_{j<h} psi_j^2)`, h = 1...count.
    func forecastStandardDeviations(_ count: Int) -> [Double] {
        let psi = psiWeights(count)
        var cumulative = 0.0
        return psi.map { weight in
            cumulative += weight * weight
            return (sigma2 * cumulative).squareRoot()
        }
    }

    /// The one-step prediction of the value at time index `t` from `path[end - p ..< end]`.
    @inline(__always)
    func predict(_ path: UnsafeBufferPointer<Double>, end: Int, at t: Int) -> Double {
        var value = terms.combination(deterministicCoefficients, at: t)
        for i in 0..<order { value += lagCoefficients[i] * path[end - 1 - i] }
        if let bounds { value = min(max(value, bounds.lowerBound), bounds.upperBound) }
        return value
    }

    /// `history` (the p values before time index `firstIndex`, complete) followed by
    /// `values` with each NaN replaced by the one-step forecast from the values before it.
    func filling(_ values: [Double], after history: [Double], firstIndex: Int) -> [Double] {
        var path = history + values
        let p = history.count
        path.withUnsafeMutableBufferPointer { buffer in
            for k in values.indices where buffer[p + k].isNaN {
                buffer[p + k] = predict(UnsafeBufferPointer(buffer), end: p + k, at: firstIndex + k)
            }
        }
        return path
    }

    /// The recursive mean forecast for `horizon` steps after `history` (its last p values
    /// are used), starting at time index `firstIndex`.
    func meanPath(after history: UnsafeBufferPointer<Double>, end: Int, firstIndex: Int, horizon: Int) -> [Double] {
        let p = order
        var path = [Double](repeating: 0, count: p + horizon)
        for i in 0..<p { path[i] = history[end - p + i] }
        path.withUnsafeMutableBufferPointer { buffer in
            for step in 0..<horizon {
                buffer[p + step] = predict(UnsafeBufferPointer(buffer), end: p + step, at: firstIndex + step)
            }
        }
        return Array(path[p...])
    }

    /// The recursive mean forecast and intervals: `mean + sd_h * (calibrated error
    /// quantiles) * (the hour of the day's scale)` when the model carries a calibration, else `mean +- z sd_h`; all
    /// inside ``bounds`` when it has them.
    func forecast(horizon: Int, level: Double) throws(PluginError) -> ForecastResult {
        guard horizon >= 1 else { throw .invalidArgument("the horizon must be at least 1; got \(horizon)") }
        guard level > 0, level < 1 else { throw .invalidArgument("the level must lie in (0, 1); got \(level)") }
        let mean = recent.withUnsafeBufferPointer { history in
            meanPath(after: history, end: history.count, firstIndex: observationCount, horizon: horizon)
        }
        let sd = forecastStandardDeviations(horizon)
        let z = NormalDistribution.criticalValue(level: level)
        var lower = mean
        var upper = mean
        // Calibrated widths are not forced to grow with the lead: the hour of the day's scale
        // makes a calm night narrower than the afternoon before it, and a running maximum
        // of noisy quantile estimates is biased wide (on the benchmark it kept 80% intervals
        // at 0.82-0.83 instead of 0.80-0.82).
        var below = 0.0
        var above = 0.0
        for step in 0..<horizon {
            var scale = 1.0
            if let calibration {
                let offsets = calibration.offsets(level: level, lead: step + 1)
                // A biased model's error quantiles can both lie on one side; the interval
                // still holds the mean.
                below = max(0, -sd[step] * offsets.lower)
                above = max(0, sd[step] * offsets.upper)
                if let phaseScales {
                    let row = phaseScales[min(step, phaseScales.count - 1)]
                    scale = row[(observationCount + step) % row.count]
                }
            } else {
                below = z * sd[step]
                above = below
            }
            lower[step] = mean[step] - scale * below
            upper[step] = mean[step] + scale * above
            if let bounds {
                lower[step] = min(max(lower[step], bounds.lowerBound), bounds.upperBound)
                upper[step] = min(max(upper[step], bounds.lowerBound), bounds.upperBound)
            }
        }
        return ForecastResult(mean: mean, lower: lower, upper: upper)
    }

    /// The same coefficients, forecasting from the end of `newer` (which continues the
    /// series and may have missing values, NaN). A calibrated model given at least
    /// ``IntervalCalibration/recalibrationMinimum`` new hours recalibrates its intervals
    /// on their last weeks.
    func conditioned(on newer: Series) throws(PluginError) -> AutoRegModel {
        if let index = newer.values.firstIndex(where: { $0.isInfinite }) {
            throw .invalidData("observation \(index) of \(newer.count) is \(newer.values[index]); values must be finite or NaN (missing)")
        }
        let combined = filling(newer.values, after: recent, firstIndex: observationCount)
        let kept = Array(combined.suffix(order))
        var model = AutoRegModel(
            terms: terms, deterministicCoefficients: deterministicCoefficients, lagCoefficients: lagCoefficients,
            sigma2: sigma2, recent: kept, observationCount: observationCount + newer.count,
            lastTime: newer.count == 0 ? lastTime : newer.lastTime, stepSeconds: stepSeconds)
        model.bounds = bounds
        model.calibration = calibration
        model.phaseScales = phaseScales
        if calibration != nil, newer.count >= IntervalCalibration.recalibrationMinimum {
            let observed = [Double](repeating: .nan, count: order) + newer.values
            if let recent = IntervalCalibration.run(model: model, observed: observed, filled: combined,
                                                    indexOffset: observationCount - order) {
                model.calibration = recent.quantiles
                model.phaseScales = recent.phaseScales
            }
        }
        return model
    }
}
