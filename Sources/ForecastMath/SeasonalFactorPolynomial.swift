/// The product of a non-seasonal lag polynomial and one seasonal factor at lag `s`, in the
/// expanded form the state space and the forecaster use: `(1 - Σ φᵢBⁱ)(1 - Φ Bˢ)` for AR,
/// `(1 + Σ θⱼBʲ)(1 + Θ Bˢ)` for MA.
///
/// Why expanded: every consumer of the polynomials (the Kalman filter, the stationary
/// covariance, GLS, forecasting, the model blob) then works unchanged; the factors are kept
/// only where the model is estimated and reported. For AR, the coefficient at lag `i ≤ p` is
/// `φᵢ`, at lag `s` it is `Φ`, at lag `s + i` it is `-φᵢ Φ`; for MA, `θⱼ`, `Θ` and `+θⱼ Θ`
/// (with `p, q < s`).
public enum SeasonalFactorPolynomial {
    /// Expanded AR coefficients (of `1 - Σ aⱼ Bʲ`, `j = 1…p+s`) for `φ` and `Φ` at lag `s > p`.
    public static func expandedAR(_ phi: [Double], seasonal: Double, lag s: Int) -> [Double] {
        expanded(phi, seasonal: seasonal, lag: s, sign: -1)
    }

    /// Expanded MA coefficients (of `1 + Σ bⱼ Bʲ`, `j = 1…q+s`) for `θ` and `Θ` at lag `s > q`.
    public static func expandedMA(_ theta: [Double], seasonal: Double, lag s: Int) -> [Double] {
        expanded(theta, seasonal: seasonal, lag: s, sign: 1)
    }

    private static func expanded(_ c: [Double], seasonal: Double, lag s: Int, sign: Double) -> [Double] {
        precondition(s > c.count, "the seasonal lag must exceed the non-seasonal order")
        var a = [Double](repeating: 0, count: c.count + s)
        for (i, value) in c.enumerated() {
            a[i] = value
            a[s + i] = sign * value * seasonal
        }
        a[s - 1] += seasonal
        return a
    }

    /// The factors `(c, seasonal)` of an expanded polynomial of non-seasonal order `order`
    /// with a seasonal factor at lag `s`.
    public static func factors(expanded a: [Double], order: Int, lag s: Int) -> (coefficients: [Double], seasonal: Double) {
        precondition(a.count == order + s && s > order, "the polynomial does not have degree order + s")
        return (Array(a.prefix(order)), a[s - 1])
    }
}
