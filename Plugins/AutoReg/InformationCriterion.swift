#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The information criterion that ranks candidate lag counts, as statsmodels defines it.
///
/// With the Gaussian log-likelihood at the maximum-likelihood variance,
/// `llf = -nobs / 2 * (log(2 pi sigma2) + 1)` where `sigma2 = RSS / nobs`, and `k` the
/// number of estimated parameters counted statsmodels' way (see ``penalty(nobs:)``):
///
/// - aic:  `-2 llf + 2 k`
/// - bic:  `-2 llf + log(nobs) k`
/// - hqic: `-2 llf + 2 log(log(nobs)) k`
enum InformationCriterion: String, CaseIterable, Sendable, Codable {
    /// Akaike: the lightest penalty, tends to pick long lag lists.
    case aic
    /// Schwarz-Bayes: penalty log(nobs) per parameter; consistent, picks short lag lists.
    case bic
    /// Hannan-Quinn: between the two.
    case hqic

    /// The penalty per estimated parameter for `nobs` observations.
    func penalty(nobs: Int) -> Double {
        let n = Double(nobs)
        switch self {
        case .aic: return 2
        case .bic: return log(n)
        case .hqic: return 2 * log(log(n))
        }
    }

    /// The criterion for a fit with residual sum of squares `rss` on `nobs` observations
    /// and `parameters` counted parameters (statsmodels passes `df_model + 1`).
    func value(rss: Double, nobs: Int, parameters: Int) -> Double {
        let n = Double(nobs)
        let sigma2 = rss / n
        let llf = -n * (log(2 * Double.pi * sigma2) + 1) / 2
        return -2 * llf + penalty(nobs: nobs) * Double(parameters)
    }
}
