/// The order of an ARIMA(p, d, q) model, whether it has a constant, and optional
/// multiplicative seasonal factors at one lag `s`: ARIMA(p, d, q)(P, 0, Q)ₛ with `P, Q ≤ 1`,
/// whose AR polynomial is `(1 - φ₁B - … - φₚBᵖ)(1 - Φ Bˢ)` and MA polynomial
/// `(1 + θ₁B + … + θ_qB^q)(1 + Θ Bˢ)` (statsmodels' `seasonal_order=(P, 0, Q, s)`; a
/// seasonal difference is applied outside, as `d` is).
///
/// The constant enters as statsmodels' SARIMAX `trend='c'` does: an intercept in the
/// ARMA equation of the `d`-times differenced series (a mean for `d = 0`, a drift for `d = 1`).
public struct ARIMASpecification: Sendable, Hashable, CustomStringConvertible {
    /// The AR order.
    public var p: Int
    /// The order of differencing.
    public var d: Int
    /// The MA order.
    public var q: Int
    /// Whether the differenced series has a non-zero mean.
    public var constant: Bool
    /// The seasonal AR order `P` (0 or 1).
    public var seasonalP: Int
    /// The seasonal MA order `Q` (0 or 1).
    public var seasonalQ: Int
    /// The seasonal lag `s` of the factors (0 when there are none).
    public var seasonalLag: Int

    /// Creates a specification.
    public init(p: Int, d: Int, q: Int, constant: Bool, seasonalP: Int = 0, seasonalQ: Int = 0, seasonalLag: Int = 0) {
        self.p = p
        self.d = d
        self.q = q
        self.constant = constant
        self.seasonalP = seasonalP
        self.seasonalQ = seasonalQ
        self.seasonalLag = seasonalP + seasonalQ > 0 ? seasonalLag : 0
    }

    /// Whether there is a seasonal AR or MA factor.
    public var hasSeasonalFactors: Bool { seasonalLag > 0 && seasonalP + seasonalQ > 0 }

    /// The same order without the seasonal factors (the nested model).
    public var withoutSeasonalFactors: ARIMASpecification { ARIMASpecification(p: p, d: d, q: q, constant: constant) }

    /// The degrees of the expanded AR and MA polynomials.
    public var expandedARDegree: Int { p + seasonalP * seasonalLag }
    public var expandedMADegree: Int { q + seasonalQ * seasonalLag }

    /// Number of estimated parameters including `σ²` (statsmodels' `df_model`).
    public var parameterCount: Int { p + q + (constant ? 1 : 0) + (hasSeasonalFactors ? seasonalP + seasonalQ : 0) + 1 }

    /// `ARIMA(p,d,q)`, then `(P,0,Q)[s]` with seasonal factors, then ` with constant` when there is one.
    public var description: String {
        let seasonal = hasSeasonalFactors ? "(\(seasonalP),0,\(seasonalQ))[\(seasonalLag)]" : ""
        return "ARIMA(\(p),\(d),\(q))\(seasonal)\(constant ? " with constant" : "")"
    }
}
