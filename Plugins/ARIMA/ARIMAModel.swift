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

    /// The blob format's magic tag and version.
    static let magic = "ARIM"
    static let formatVersion: UInt32 = 1

    func forecast(horizon: Int, level: Double) throws(PluginError) -> ForecastResult {
        let (means, deviations) = ARIMAForecaster.forecast(filter: filter, parameters: parameters, levels: levels, horizon: horizon)
        let z = NormalDistribution.criticalValue(level: level)
        var mean = [Double](repeating: 0, count: horizon)
        var lower = mean, upper = mean
        for h in 0..<horizon {
            var value = means[h]
            if let fourier {
                value += fourier.value(fourierCoefficients, time: lastTime + Int64(h + 1) * stepSeconds, step: stepSeconds)
            }
            mean[h] = value
            lower[h] = value - z * deviations[h]
            upper[h] = value + z * deviations[h]
        }
        // PluginExport validates every result (finite, ordered) before it crosses the ABI.
        return ForecastResult(mean: mean, lower: lower, upper: upper)
    }

    func conditioned(on newer: Series) throws(PluginError) -> ARIMAModel {
        var next = self
        var differenced: [Double] = []
        differenced.reserveCapacity(newer.count)
        for (index, y) in newer.values.enumerated() {
            let time = newer.startTime + Int64(index) * newer.stepSeconds
            var value = y
            if let fourier { value -= fourier.value(fourierCoefficients, time: time, step: stepSeconds) }
            // Δᵏzₜ = Δᵏ⁻¹zₜ - Δᵏ⁻¹zₜ₋₁, keeping each level for the next step.
            for k in 0..<next.levels.count {
                let previous = next.levels[k]
                next.levels[k] = value
                value -= previous
            }
            differenced.append(value - parameters.mean)
        }
        let ok = differenced.withUnsafeBufferPointer { next.filter.filter($0) }
        guard ok, next.filter.state.allSatisfy(\.isFinite) else {
            throw .numerical("the Kalman filter failed while conditioning on \(newer.count) new observations")
        }
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
        return writer.bytes
    }

    /// Reads a blob written by ``blob``.
    init(blob: [UInt8]) throws(PluginError) {
        var reader = try BlobReader(blob, magic: Self.magic, supportedVersions: 1...1)
        let p = try reader.readInt("p", in: 0...8)
        let d = try reader.readInt("d", in: 0...2)
        let q = try reader.readInt("q", in: 0...8)
        let constant = try reader.readInt("constant flag", in: 0...1) == 1
        let mean = try reader.readFiniteDouble("mean")
        let ar = try reader.readDoubles("AR coefficients", maxCount: 8)
        let ma = try reader.readDoubles("MA coefficients", maxCount: 8)
        let variance = try reader.readFiniteDouble("sigma2")
        guard ar.count == p, ma.count == q, variance > 0 else {
            throw .badModel("the model blob is corrupt: the coefficients do not match ARIMA(\(p),\(d),\(q))")
        }
        let model = ARMAStateSpace(ar: ar, ma: ma)
        let state = try reader.readDoubles("filter state", maxCount: 9)
        let covariance = try reader.readDoubles("filter covariance", maxCount: 81)
        let steady = try reader.readInt("steady flag", in: 0...1) == 1
        guard state.count == model.dimension, covariance.count == model.dimension * model.dimension else {
            throw .badModel("the model blob is corrupt: the filter state does not match the order")
        }
        let levels = try reader.readDoubles("levels", maxCount: 2)
        guard levels.count == d else { throw .badModel("the model blob is corrupt: \(levels.count) levels for d = \(d)") }
        let period = try reader.readInt("Fourier period", in: 0...10_000)
        let terms = try reader.readInt("Fourier terms", in: 0...12)
        let coefficients = try reader.readDoubles("Fourier coefficients", maxCount: 24)
        guard coefficients.count == 2 * terms, (period == 0) == (terms == 0) else {
            throw .badModel("the model blob is corrupt: Fourier terms do not match their coefficients")
        }
        let last = try reader.readTime("last time")
        let step = try reader.readStepSeconds("step")
        try reader.requireEnd()
        specification = ARIMASpecification(p: p, d: d, q: q, constant: constant)
        parameters = ARIMAParameters(mean: mean, ar: ar, ma: ma, variance: variance)
        filter = ARMAKalmanFilter(model: model, state: state, covariance: covariance, isSteady: steady)
        self.levels = levels
        fourier = terms > 0 ? FourierRegressors(period: period, terms: terms) : nil
        fourierCoefficients = coefficients
        lastTime = last
        stepSeconds = step
    }

    init(specification: ARIMASpecification, parameters: ARIMAParameters, filter: ARMAKalmanFilter, levels: [Double],
         fourier: FourierRegressors?, fourierCoefficients: [Double], lastTime: Int64, stepSeconds: Int64) {
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
