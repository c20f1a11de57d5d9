#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The information criteria statsmodels reports, used to rank candidate models: one
/// definition for both plugins. Each plugin offers the ones its statsmodels counterpart
/// does (ARIMA: aic, aicc, bic; AutoReg: aic, bic, hqic) and refuses the others.
///
/// For a log-likelihood `ℓ`, `k` estimated parameters and `n` effective observations:
///
/// - aic:  `-2ℓ + 2k`
/// - aicc: `AIC + 2k(k+1)/(n-k-1)`
/// - bic:  `-2ℓ + k log n`
/// - hqic: `-2ℓ + 2k log log n`
public enum InformationCriterion: String, Sendable, Codable, CaseIterable {
    /// Akaike: the lightest penalty, tends to pick long models.
    case aic
    /// Corrected Akaike: AIC with the small-sample correction.
    case aicc
    /// Bayesian (Schwarz): penalty `log n` per parameter; consistent, picks short models.
    case bic
    /// Hannan-Quinn: between AIC and BIC.
    case hqic

    /// The criterion for log-likelihood `ℓ`, `k` parameters (including `σ²` where the
    /// caller counts it) and `n` effective observations.
    public func value(logLikelihood: Double, parameters k: Int, observations n: Int) -> Double {
        let kk = Double(k), nn = Double(n)
        switch self {
        case .aic: return -2 * logLikelihood + 2 * kk
        case .aicc:
            guard n - k - 1 > 0 else { return .infinity }
            return -2 * logLikelihood + 2 * kk + 2 * kk * (kk + 1) / (nn - kk - 1)
        case .bic: return -2 * logLikelihood + kk * log(nn)
        case .hqic: return -2 * logLikelihood + 2 * log(log(nn)) * kk
        }
    }

    /// The criterion of a least-squares fit with residual sum of squares `rss` on `nobs`
    /// observations and `parameters` counted parameters, through the Gaussian
    /// log-likelihood at the maximum-likelihood variance, `ℓ = -n/2 (log(2π σ²) + 1)` with
    /// `σ² = RSS / n` (statsmodels' AutoReg, which passes `df_model + 1`).
    public func value(rss: Double, nobs: Int, parameters: Int) -> Double {
        let n = Double(nobs)
        let sigma2 = rss / n
        let llf = -n * (log(2 * Double.pi * sigma2) + 1) / 2
        return value(logLikelihood: llf, parameters: parameters, observations: nobs)
    }
}
