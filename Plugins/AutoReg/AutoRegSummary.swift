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
    /// One line saying what was fitted, e.g. "AutoReg(26 lags) with constant + 24 seasonal
    /// dummies, calibrated intervals": the server shows it with every forecast.
    var description: String
    /// The criterion that chose the lag count.
    var ic: String
    /// The largest lag count asked for.
    var maxlag: Int
    /// The largest lag count considered: `maxlag` capped by the series' length.
    var maxlagUsed: Int
    /// How the lag count was chosen: ic or holdout (holdout falls back to ic on a
    /// series too short to hold four weeks out).
    var selection: String
    /// Mean absolute error of the held-out forecasts for p = 0 ... maxlag_used (holdout only).
    var holdoutMAE: [Double]?
    /// Forecast origins the held-out errors come from (holdout only).
    var holdoutOrigins: Int?
    /// Missing values (NaN) in the training series.
    var missing: Int
    /// The lag D of the modelled difference y[t] - y[t-D] (0: levels); `params` are then
    /// the implied coefficients of the levels, y.L1 ... y.L(p+D).
    var difference: Int
    /// The further components of a combined model (`difference: [24, 1]`): each one's
    /// difference, lag count and capped maxlag; nil for one model.
    var combined: [Component]?
    /// One further component of a combined model.
    struct Component: Encodable {
        var difference: Int
        var selectedLags: Int
        var maxlagUsed: Int
        enum CodingKeys: String, CodingKey {
            case difference
            case selectedLags = "selected_lags"
            case maxlagUsed = "maxlag_used"
        }
    }
    /// Intervals: gaussian, or calibrated (from the model's own multi-step errors).
    var intervals: String
    /// The physical range means and bounds are kept inside, if any.
    var bounds: [Double]?
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
    /// Rows in the refit (n - p, less the rows missing values touch).
    var nobs: Int
    /// Rows in the selection's common sample (ic selection only).
    var selectionNobs: Int?
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
    /// Every candidate's criteria on the common sample, index = lag count 0...maxlag
    /// (ic selection only).
    var criteria: [String: [Double]]?
    /// Time of the last observation (Unix seconds).
    var lastTime: Int64
    /// Seconds between observations.
    var stepSeconds: Int64

    enum CodingKeys: String, CodingKey {
        case model, description, ic, maxlag, trend, seasonal, period, nobs, sigma2, params, aic, bic, hqic, criteria
        case selectedLags = "selected_lags"
        case nextSeasonalPhase = "next_seasonal_phase"
        case selectionNobs = "selection_nobs"
        case maxlagUsed = "maxlag_used"
        case selection, missing, intervals, bounds, difference, combined
        case holdoutMAE = "holdout_mae"
        case holdoutOrigins = "holdout_origins"
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
        maxlagUsed = fit.maxlag
        selection = fit.holdout == nil ? AutoRegOptions.Selection.ic.rawValue : AutoRegOptions.Selection.holdout.rawValue
        holdoutMAE = fit.holdout?.scores
        holdoutOrigins = fit.holdout?.origins
        missing = fit.missing
        intervals = model.calibration == nil ? AutoRegOptions.Intervals.gaussian.rawValue : AutoRegOptions.Intervals.calibrated.rawValue
        bounds = model.bounds.map { [$0.lowerBound, $0.upperBound] }
        selectedLags = fit.selectedLags
        difference = fit.options.difference
        combined = fit.components.count > 1
            ? fit.components.dropFirst().map { Component(difference: $0.difference, selectedLags: $0.selectedLags, maxlagUsed: $0.maxlag) }
            : nil
        trend = terms.trend.rawValue
        seasonal = terms.period != nil
        period = terms.period
        nextSeasonalPhase = terms.period.map { model.observationCount % $0 }
        nobs = fit.nobs
        selectionNobs = fit.selection?.nobs
        sigma2 = model.sigma2
        paramNames = terms.columnNames + (0..<model.order).map { "y.L\($0 + 1)" }
        params = model.deterministicCoefficients + model.lagCoefficients
        aic = fit.criteria[.aic]!
        bic = fit.criteria[.bic]!
        hqic = fit.criteria[.hqic]!
        criteria = fit.selection.map { selection in
            Dictionary(uniqueKeysWithValues: selection.criteria.map { ($0.key.rawValue, $0.value) })
        }
        lastTime = model.lastTime
        stepSeconds = model.stepSeconds
        description = Self.describe(lags: selectedLags, difference: difference, trend: trend, period: period,
                                    intervals: intervals)
    }

    /// The one-line description of a fit with these terms.
    static func describe(lags: Int, difference: Int, trend: String, period: Int?, intervals: String) -> String {
        var text = "AutoReg(\(lags) lag\(lags == 1 ? "" : "s"))"
        if difference > 0 { text += " on the lag-\(difference) difference" }
        let trendText = ["c": " with constant", "t": " with linear trend", "ct": " with constant and linear trend"]
        text += trendText[trend] ?? ""
        // With a constant the first dummy is dropped (DeterministicTerms).
        if let period { text += " + \(trend.contains("c") ? period - 1 : period) seasonal dummies (period \(period))" }
        return text + ", \(intervals) intervals"
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
