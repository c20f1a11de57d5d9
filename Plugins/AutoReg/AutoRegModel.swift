import ForecastMath
import PluginKit

/// A fitted autoregression that forecasts from the end of the series it has seen.
///
/// `y[t] = sum_j delta_j d_j(t) + sum_{i=1..p} phi_i y[t-i] + e[t]`, `e ~ N(0, sigma2)`,
/// with `d_j` the deterministic terms. Immutable, so `forecast` is safe to call from many
/// threads at once.
struct AutoRegModel: ConditionableModel, Equatable {
    /// The deterministic terms (constant, trend, seasonal dummies) and their phase convention.
    let terms: DeterministicTerms
    /// Coefficients of the deterministic terms, in column order.
    let deterministicCoefficients: [Double]
    /// phi_1 ... phi_p.
    let lagCoefficients: [Double]
    /// The innovation variance: residual sum of squares / nobs (statsmodels' `sigma2`).
    let sigma2: Double
    /// The last p observations, oldest first.
    let recent: [Double]
    /// How many observations precede the first forecast step: its 0-based time index,
    /// which drives the trend (`index + 1`) and the seasonal phase (`index mod period`).
    let observationCount: Int
    /// Time of the last observation (Unix seconds).
    let lastTime: Int64
    /// Seconds between observations.
    let stepSeconds: Int64

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

    /// The recursive mean forecast and intervals `mean +- z sigma sqrt(sum_{j<h} psi_j^2)`.
    func forecast(horizon: Int, level: Double) throws(PluginError) -> ForecastResult {
        guard horizon >= 1 else { throw .invalidArgument("the horizon must be at least 1; got \(horizon)") }
        guard level > 0, level < 1 else { throw .invalidArgument("the level must lie in (0, 1); got \(level)") }
        let p = order
        var path = recent
        path.reserveCapacity(p + horizon)
        var mean = [Double](repeating: 0, count: horizon)
        for step in 0..<horizon {
            var value = terms.combination(deterministicCoefficients, at: observationCount + step)
            let last = path.count - 1
            for i in 0..<p { value += lagCoefficients[i] * path[last - i] }
            path.append(value)
            mean[step] = value
        }
        let z = NormalDistribution.criticalValue(level: level)
        let psi = psiWeights(horizon)
        var lower = mean
        var upper = mean
        var cumulative = 0.0
        for step in 0..<horizon {
            cumulative += psi[step] * psi[step]
            let half = z * (sigma2 * cumulative).squareRoot()
            lower[step] = mean[step] - half
            upper[step] = mean[step] + half
        }
        return ForecastResult(mean: mean, lower: lower, upper: upper)
    }

    /// The same coefficients, forecasting from the end of `newer` (which continues the series).
    func conditioned(on newer: Series) throws(PluginError) -> AutoRegModel {
        let combined = recent + newer.values
        let kept = Array(combined.suffix(order))
        return AutoRegModel(
            terms: terms, deterministicCoefficients: deterministicCoefficients, lagCoefficients: lagCoefficients,
            sigma2: sigma2, recent: kept, observationCount: observationCount + newer.count,
            lastTime: newer.count == 0 ? lastTime : newer.lastTime, stepSeconds: stepSeconds)
    }
}
