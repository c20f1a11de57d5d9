#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import PluginKit

/// The fit summary the host stores in the model manifest and shows to users (JSON).
struct AutoRegSummary: Encodable {
    /// Always "autoreg".
    var model = "autoreg"
    /// The criterion that chose the lag count.
    var ic: String
    /// The largest lag count considered.
    var maxlag: Int
    /// The chosen lag count p (lags 1...p).
    var selectedLags: Int
    /// Trend terms: n, c, t or ct.
    var trend: String
    /// Whether seasonal dummies are in the model.
    var seasonal: Bool
    /// Their period (null without seasonal dummies).
    var period: Int?
    /// Seasonal phase of the first forecast step: its dummy s(phase + 1, period).
    var nextSeasonalPhase: Int?
    /// Observations in the refit (n - p).
    var nobs: Int
    /// Observations in the selection's common sample (n - maxlag).
    var selectionNobs: Int
    /// Innovation variance (RSS / nobs).
    var sigma2: Double
    /// Coefficient names in statsmodels' spelling (const, trend, s(2,24), y.L1, ...).
    var paramNames: [String]
    /// Coefficients, in the order of `paramNames`.
    var params: [Double]
    /// The refit's aic, bic and hqic (statsmodels' AutoRegResults definitions).
    var aic: Double
    var bic: Double
    var hqic: Double
    /// Every candidate's criteria on the common sample, index = lag count 0...maxlag.
    var criteria: [String: [Double]]
    /// Time of the last observation (Unix seconds).
    var lastTime: Int64
    /// Seconds between observations.
    var stepSeconds: Int64

    enum CodingKeys: String, CodingKey {
        case model, ic, maxlag, trend, seasonal, period, nobs, sigma2, params, aic, bic, hqic, criteria
        case selectedLags = "selected_lags"
        case nextSeasonalPhase = "next_seasonal_phase"
        case selectionNobs = "selection_nobs"
        case paramNames = "param_names"
        case lastTime = "last_time"
        case stepSeconds = "step_seconds"
    }

    /// The summary of `fit`.
    init(_ fit: AutoRegFit) {
        let model = fit.model
        let terms = model.terms
        ic = fit.options.ic.rawValue
        maxlag = fit.options.maxlag
        selectedLags = model.order
        trend = terms.trend.rawValue
        seasonal = terms.period != nil
        period = terms.period
        nextSeasonalPhase = terms.period.map { model.observationCount % $0 }
        nobs = fit.nobs
        selectionNobs = fit.selection.nobs
        sigma2 = model.sigma2
        paramNames = terms.columnNames + (0..<model.order).map { "y.L\($0 + 1)" }
        params = model.deterministicCoefficients + model.lagCoefficients
        aic = fit.criteria[.aic]!
        bic = fit.criteria[.bic]!
        hqic = fit.criteria[.hqic]!
        criteria = Dictionary(uniqueKeysWithValues: fit.selection.criteria.map { ($0.key.rawValue, $0.value) })
        lastTime = model.lastTime
        stepSeconds = model.stepSeconds
    }

    /// The summary as a compact JSON object with sorted keys.
    func json() throws(PluginError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            return String(decoding: try encoder.encode(self), as: UTF8.self)
        } catch {
            throw .internal("could not encode the fit summary: \(error)")
        }
    }
}
