/// Multi-step forecasts of an ARIMA(p, d, q) model from the end of its Kalman filter.
///
/// The differenced series is forecast from the filter's predicted state `a` with
/// covariance `P`; `d` integrations turn these into forecasts of the series itself.
/// The error of `yₙ₊ₕ` is `Gₕ ξ + Σ Ψᵈₖ εₙ₊ₕ₋ₖ` where `ξ ~ N(0, σ²P)` is the state error,
/// `Gₕ` the `d`-fold cumulative sum of `e₁ᵀ Tʰ⁻¹`, and `Ψᵈ` the `d`-fold cumulative sum
/// of the ARMA's ψ weights, so the variance is exact for the state-space model (the
/// same as statsmodels' SARIMAX with its differencing states), in `O(h r²)`.
public enum ARIMAForecaster {
    /// Point forecasts and forecast standard deviations for `horizon` steps.
    ///
    /// - Parameters:
    ///   - filter: the ARMA filter after the last observation (unit innovation variance).
    ///   - parameters: the fitted parameters (`mean`, `variance`).
    ///   - levels: the last values of `Δᵏy` for `k = 0..<d` (``Differencing/lastLevels(_:order:)``).
    public static func forecast(filter: ARMAKalmanFilter, parameters: ARIMAParameters, levels: [Double],
                                horizon: Int) -> (mean: [Double], standardDeviation: [Double]) {
        let model = filter.model
        let r = model.dimension
        let d = levels.count
        var state = filter.state
        let p = filter.covariance
        // Row vector g = e1ᵀ T^(h-1) and its d-fold cumulative sums.
        var g = [Double](repeating: 0, count: r)
        g[0] = 1
        var gSums = [[Double]](repeating: [Double](repeating: 0, count: r), count: d)
        let psi = model.psiWeights(horizon)
        var psiSums = [Double](repeating: 0, count: d)   // running cumulative sums of ψ, per level
        var shockVariance = 0.0
        var levelsCopy = levels
        var means = [Double](repeating: 0, count: horizon)
        var deviations = [Double](repeating: 0, count: horizon)
        for h in 1...max(horizon, 1) where h <= horizon {
            let w = parameters.mean + state[0]
            means[h - 1] = Differencing.integrate(&levelsCopy, next: w)
            // Coefficient row of ξ for y_{n+h}.
            var row = g
            for k in 0..<d {
                for i in 0..<r { gSums[k][i] += row[i] }
                row = gSums[k]
            }
            var quadratic = 0.0
            for i in 0..<r {
                var s = 0.0
                for j in 0..<r { s += p[i * r + j] * row[j] }
                quadratic += row[i] * s
            }
            // Shocks after n+1: coefficient Ψᵈ_{h-1-j} on ε_{n+1+j}; adds (Ψᵈ_{h-2})² at step h.
            if h >= 2 {
                var value = psi[h - 2]
                for k in 0..<d {
                    psiSums[k] += value
                    value = psiSums[k]
                }
                shockVariance += value * value
            }
            deviations[h - 1] = (parameters.variance * max(quadratic + shockVariance, 0)).squareRoot()
            state = model.transition(state)
            // g ← g T: (gT)₀ = Σ gᵢ φᵢ, (gT)ⱼ = gⱼ₋₁.
            var next = [Double](repeating: 0, count: r)
            for i in 0..<r { next[0] += g[i] * model.phi[i] }
            for j in 1..<max(r, 1) { next[j] = g[j - 1] }
            g = next
        }
        return (means, deviations)
    }
}
