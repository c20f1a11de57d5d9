import ForecastMath
import PluginKit

/// Conditioning that follows the season: on enough new data, the Fourier coefficients are
/// re-estimated on the newest weeks at the fitted ARMA coefficients, and with
/// ``ARIMAModel/followsLevel`` the mean (or drift) with them.
///
/// Why: a model fitted in winter keeps the winter's daily shape, while the amplitude of the
/// day's cycle changes with the season (on bench/quality's tuning set, fitted on January to
/// March and scored from April to December); and a model without differencing keeps its
/// training data's mean, to which its forecast of a summer day falls back within three days. With the ARMA coefficients held, the GLS
/// estimate of the regression coefficients (``ARMARegressionGLS``) is their maximum
/// likelihood estimate, a single linear solve; no ARMA parameter is refitted. The filter is
/// then restarted from its stationary distribution at the start of those weeks, which
/// after a few steps is the state it would have had.
extension ARIMAModel {
    /// The newest steps the cycle is re-estimated on.
    static let cycleWindow = IntervalCalibrationWindow.steps + IntervalCalibrationWindow.horizon

    /// The model restarted `d` steps into the newest ``cycleWindow`` steps of `newer`, with
    /// the Fourier coefficients re-estimated on them, and the steps of `newer` still to be
    /// filtered; nil when the model has no Fourier part or the estimate fails.
    func cycleRestart(_ newer: Series) -> (model: ARIMAModel, rest: Series)? {
        guard let fourier else { return nil }
        let d = specification.d
        var start = max(0, newer.count - Self.cycleWindow)
        while start + d < newer.count, newer.values[start..<(start + d + 1)].contains(where: \.isNaN) { start += 1 }
        guard newer.count - start >= 2 * fourier.period + d else { return nil }
        let y = Array(newer.values[start...])
        let startTime = newer.startTime + Int64(start) * newer.stepSeconds
        let columns = fourier.columns(count: y.count, start: startTime, step: stepSeconds)
        let dy = Differencing.difference(y, order: d)
        let design = (specification.constant ? [[Double](repeating: 1, count: dy.count)] : [])
            + columns.map { Differencing.difference($0, order: d) }
        guard let gls = ARMARegressionGLS.coefficients(response: dy, columns: design, ar: parameters.ar, ma: parameters.ma),
              gls.allSatisfy(\.isFinite),
              let filter = ARMAKalmanFilter(model: ARMAStateSpace(ar: parameters.ar, ma: parameters.ma)) else { return nil }
        var model = self
        model.fourierCoefficients = Array(gls.suffix(columns.count))
        if specification.constant, followsLevel { model.parameters.mean = gls[0] }
        model.filter = filter
        let z = (0..<d).map { t in y[t] - fourier.value(model.fourierCoefficients, time: startTime + Int64(t) * stepSeconds, step: stepSeconds) }
        model.levels = Differencing.lastLevels(z, order: d)
        model.lastTime = startTime + Int64(d - 1) * stepSeconds
        let rest = Series(values: Array(y[d...]), startTime: startTime + Int64(d) * stepSeconds, stepSeconds: stepSeconds)
        return (model, rest)
    }
}
