/// A forecasting plugin written in Swift: conform once, export with one line.
///
/// ```swift
/// enum MyPlugin: ForecastPlugin {
///     static let name = "mine"
///     static let version = "1.0.0"
///     static let summary = "What it does, in one line."
///     static func train(_ series: Series, options: String, host: HostServices) throws(PluginError) -> TrainedModel { ... }
///     static func load(_ blob: [UInt8]) throws(PluginError) -> MyModel { ... }
/// }
///
/// @_cdecl("forecast_plugin_entry")
/// public func forecastPluginEntry() -> UnsafeRawPointer { PluginExport.descriptor(for: MyPlugin.self) }
/// ```
public protocol ForecastPlugin {
    /// The model type `load` returns.
    associatedtype Model: ForecastModel

    /// Unique name: lowercase letters, digits, `-` and `_`.
    static var name: String { get }
    /// The plugin's version, e.g. `1.0.0`.
    static var version: String { get }
    /// One line saying what the plugin does.
    static var summary: String { get }
    /// The default options as a JSON object, shown to users; `nil` when there are none.
    static var defaultOptionsJSON: String? { get }
    /// Whether `train` and a ``ConditionableModel``'s `conditioned(on:)` accept NaN in the
    /// series as "not observed" (the ABI's `FP_CAPABILITY_MISSING_VALUES`). With `true`,
    /// `forecast train` passes the whole history with its missing hours as NaN, and
    /// PluginKit lets NaN (never an infinity) through to `conditioned(on:)`; the forecast
    /// must still be finite. Default `false`: the host passes finite values only.
    static var acceptsMissingValues: Bool { get }

    /// Fits a model to `series` with `options` (a JSON object; empty means defaults).
    static func train(_ series: Series, options: String, host: HostServices) throws(PluginError) -> TrainedModel

    /// Reads a blob made by `train`; throws ``PluginError/badModel(_:)`` for anything else.
    static func load(_ blob: [UInt8]) throws(PluginError) -> Model
}

extension ForecastPlugin {
    /// No documented defaults unless the plugin says so.
    public static var defaultOptionsJSON: String? { nil }
    /// Finite values only unless the plugin says otherwise.
    public static var acceptsMissingValues: Bool { false }
}
