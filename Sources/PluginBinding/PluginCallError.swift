/// A plugin call that returned a status other than OK, with the plugin's message.
public struct PluginCallError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The plugin's name.
    public var plugin: String
    /// The ABI function that failed: `train`, `load`, `forecast` or `condition`.
    public var operation: String
    /// The `FP_STATUS_*` code.
    public var status: Int32
    /// The plugin's error text (or a note that it gave none).
    public var message: String

    /// Creates an error.
    public init(plugin: String, operation: String, status: Int32, message: String) {
        self.plugin = plugin
        self.operation = operation
        self.status = status
        self.message = message
    }

    /// `plugin arima: train failed (insufficient data): ...`.
    public var description: String {
        "plugin \(plugin): \(operation) failed (\(PluginABIInfo.statusName(status))): \(message)"
    }
}
