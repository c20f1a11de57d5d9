import ForecastMath
import PluginKit

/// Automatic ARIMA: unit-root differencing, stepwise order search, exact Kalman-filter likelihood.
enum ARIMAPlugin: ForecastPlugin {
    static let name = "arima"
    static let version = "1.0.0"
    static let summary = "ARIMA(p,d,q) with automatic order selection (ADF/KPSS + stepwise search), exact likelihood with missing values, a daily cycle by Fourier terms or seasonal differencing, optional seasonal AR/MA factors"
    /// NaN values are missing observations: the exact likelihood skips them (see docs/arima.md).
    static let acceptsMissingValues = true
    static let defaultOptionsJSON: String? = """
        {"start_p":1,"start_q":1,"max_p":3,"max_q":3,"d":null,"max_d":2,"test":"adf","ic":"aic","stepwise":true,\
        "with_constant":null,"seasonal":"auto","period":24,"fourier_terms":2,"fourier_fit":"two-stage","method":"css-ml","approximation":false,\
        "root_check":"pmdarima","bounds":null,"max_fit_points":8760,"intervals":"calibrated",\
        "seasonal_order":null,"seasonal_fit_points":672,"follow_level":false}
        """

    static func train(_ series: Series, options: String, host: HostServices) throws(PluginError) -> TrainedModel {
        let parsed = try ARIMAOptions.parse(options)
        let (model, summary) = try ARIMATrainer(options: parsed, host: host).train(series)
        return TrainedModel(blob: model.blob, summaryJSON: summary.json)
    }

    static func load(_ blob: [UInt8]) throws(PluginError) -> ARIMAModel {
        try ARIMAModel(blob: blob)
    }
}

/// The plugin's one exported symbol.
@_cdecl("forecast_plugin_entry")
public func forecastPluginEntry() -> UnsafeRawPointer { PluginExport.descriptor(for: ARIMAPlugin.self) }
