/// The order of a non-seasonal ARIMA(p, d, q) model and whether it has a constant.
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

    /// Creates a specification.
    public init(p: Int, d: Int, q: Int, constant: Bool) {
        self.p = p
        self.d = d
        self.q = q
        self.constant = constant
    }

    /// Number of estimated parameters including `σ²` (statsmodels' `df_model`).
    public var parameterCount: Int { p + q + (constant ? 1 : 0) + 1 }

    /// `ARIMA(p,d,q)` with ` with constant` when there is one.
    public var description: String { "ARIMA(\(p),\(d),\(q))\(constant ? " with constant" : "")" }
}
