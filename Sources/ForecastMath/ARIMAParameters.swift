/// The parameters of a fitted ARIMA model on the scale statsmodels reports them.
public struct ARIMAParameters: Sendable, Equatable {
    /// The mean `μ` of the differenced series (0 without a constant).
    public var mean: Double
    /// AR coefficients `φ₁…φₚ` of `1 - Σ φᵢ Bⁱ`.
    public var ar: [Double]
    /// MA coefficients `θ₁…θ_q` of `1 + Σ θⱼ Bʲ`.
    public var ma: [Double]
    /// The innovation variance `σ²`.
    public var variance: Double

    /// Creates a parameter set.
    public init(mean: Double, ar: [Double], ma: [Double], variance: Double) {
        self.mean = mean
        self.ar = ar
        self.ma = ma
        self.variance = variance
    }

    /// The intercept `c = μ (1 - Σ φᵢ)` (statsmodels' `intercept` parameter).
    public var intercept: Double { mean * (1 - ar.reduce(0, +)) }

    /// Builds parameters from statsmodels' intercept form.
    public init(intercept: Double, ar: [Double], ma: [Double], variance: Double) {
        let denominator = 1 - ar.reduce(0, +)
        self.init(mean: denominator == 0 ? 0 : intercept / denominator, ar: ar, ma: ma, variance: variance)
    }

    /// Whether every value is finite.
    public var isFinite: Bool {
        mean.isFinite && variance.isFinite && ar.allSatisfy(\.isFinite) && ma.allSatisfy(\.isFinite)
    }

    /// The largest modulus of an inverse AR or MA root is below `radius`.
    public func rootsWithin(_ radius: Double) -> Bool {
        ARMAParameterTransform.inverseRootsWithin(ar, radius: radius)
            && ARMAParameterTransform.inverseRootsWithin(ma.map { -$0 }, radius: radius)
    }
}
