#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The information criteria statsmodels reports, used to rank candidate models.
public enum InformationCriterion: String, Sendable, Codable, CaseIterable {
    /// Akaike: `-2ℓ + 2k`.
    case aic
    /// Corrected Akaike: `AIC + 2k(k+1)/(n-k-1)`.
    case aicc
    /// Bayesian (Schwarz): `-2ℓ + k log n`.
    case bic

    /// The criterion for log-likelihood `ℓ`, `k` parameters (including `σ²`) and `n` effective observations.
    public func value(logLikelihood: Double, parameters k: Int, observations n: Int) -> Double {
        let kk = Double(k), nn = Double(n)
        switch self {
        case .aic: return -2 * logLikelihood + 2 * kk
        case .aicc:
            guard n - k - 1 > 0 else { return .infinity }
            return -2 * logLikelihood + 2 * kk + 2 * kk * (kk + 1) / (nn - kk - 1)
        case .bic: return -2 * logLikelihood + kk * log(nn)
        }
    }
}
