import PluginKit

/// The AutoReg plugin: autoregression by least squares with lag selection as statsmodels'
/// `ar_select_order`, forecasts with intervals from the moving-average representation.
///
/// Options (JSON, all optional): `maxlag`, `ic` (aic, bic, hqic), `trend` (n, c, t, ct),
/// `seasonal` (bool), `period` (int), `selection` (ic, holdout), `intervals` (gaussian,
/// calibrated), `bounds` ([lower, upper]). See `docs/autoreg.md`.
enum AutoRegPlugin: ForecastPlugin {
    /// The name "autoreg": route /autoreg, model files autoreg-*.
    static let name = "autoreg"
    /// The plugin's version.
    static let version = "1.2.0"
    /// Missing hours (NaN) are welcome: the fit drops the rows they touch, forecasts fill
    /// them with the model's own forecasts.
    static let acceptsMissingValues = true
    /// One line for `forecast plugins`.
    static let summary = "Autoregression by least squares (Householder QR), by default the average of one on daily and one on first differences, lag selection by aic/bic/hqic as statsmodels' ar_select_order (or by held-out error), intervals calibrated on its own errors; missing hours welcome"
    /// The default options, for users to read.
    static var defaultOptionsJSON: String? { AutoRegOptions.defaultsJSON }

    /// Selects the lag count, fits, and returns the model blob and a JSON summary.
    static func train(_ series: Series, options: String, host: HostServices) throws(PluginError) -> TrainedModel {
        let parsed = try AutoRegOptions.parse(options)
        let fit = try AutoRegFit.run(series, options: parsed, host: host)
        let summary = try AutoRegSummary(fit).json()
        let by = fit.holdout == nil ? parsed.ic.rawValue : "held-out error"
        let differenced = parsed.difference > 0 ? " of the lag-\(parsed.difference) differences" : ""
        let others = fit.components.dropFirst().map { component in
            let what = component.difference > 0 ? "the lag-\(component.difference) differences" : "the levels"
            return ", averaged with p=\(component.selectedLags) of \(what) of maxlag \(component.maxlag)"
        }.joined()
        host.log("autoreg: selected p=\(fit.selectedLags)\(differenced) of maxlag \(fit.maxlag)\(others) by \(by); \(fit.missing) missing values; sigma2 \(fit.model.sigma2)")
        return TrainedModel(blob: fit.model.blob, summaryJSON: summary)
    }

    /// Reads a blob made by `train`.
    static func load(_ blob: [UInt8]) throws(PluginError) -> AutoRegModel {
        try AutoRegModel(blob: blob)
    }
}

/// The one symbol the host looks up: returns this plugin's C descriptor.
@_cdecl("forecast_plugin_entry")
public func forecastPluginEntry() -> UnsafeRawPointer { PluginExport.descriptor(for: AutoRegPlugin.self) }
