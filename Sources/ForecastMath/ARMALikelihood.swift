#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The exact Gaussian log-likelihood of an ARMA process with `σ²` concentrated out.
///
/// For a filter run with unit innovation variance over `n` observations,
/// `σ̂² = Σ vₜ²/Fₜ / n` and `ℓ = -n/2 (log 2π + log σ̂² + 1) - ½ Σ log Fₜ`,
/// which is the maximum over `σ²` of the likelihood statsmodels' SARIMAX evaluates.
public struct ARMALikelihood: Sendable, Equatable {
    /// Number of observations.
    public var count: Int
    /// The concentrated innovation variance `σ̂²`.
    public var variance: Double
    /// The log-likelihood at `σ̂²`.
    public var logLikelihood: Double

    /// Combines the sums a finished ``ARMAKalmanFilter`` holds.
    public init(filter: ARMAKalmanFilter) {
        count = filter.count
        variance = filter.sumSquares / Double(max(filter.count, 1))
        let n = Double(filter.count)
        logLikelihood = -0.5 * n * (log(2 * Double.pi) + log(variance) + 1) - 0.5 * filter.sumLogVariance
    }

    /// Evaluates the likelihood of zero-mean `values` under ARMA(`ar`, `ma`); `nil` on failure.
    public static func evaluate(_ values: [Double], ar: [Double], ma: [Double]) -> ARMALikelihood? {
        guard var filter = ARMAKalmanFilter(model: ARMAStateSpace(ar: ar, ma: ma)) else { return nil }
        let ok = values.withUnsafeBufferPointer { filter.filter($0) }
        guard ok else { return nil }
        let result = ARMALikelihood(filter: filter)
        return result.logLikelihood.isFinite && result.variance > 0 ? result : nil
    }
}
