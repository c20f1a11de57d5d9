import PluginABI

/// An error a plugin reports to the host: an ABI status code and a message.
///
/// Thrown from ``ForecastPlugin`` and ``ForecastModel`` methods; the export layer turns
/// it into the `FP_STATUS_*` return value and writes `message` into the host's buffer.
public struct PluginError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One of the `FP_STATUS_*` codes of `forecast_plugin.h`.
    public var status: Int32
    /// A sentence saying what went wrong, for the user.
    public var message: String

    /// Creates an error with an explicit status code.
    public init(status: Int32, _ message: String) {
        self.status = status
        self.message = message
    }

    /// A malformed argument or option (`FP_STATUS_INVALID_ARGUMENT`).
    public static func invalidArgument(_ message: String) -> PluginError {
        PluginError(status: FP_STATUS_INVALID_ARGUMENT, message)
    }

    /// A series too short for the model (`FP_STATUS_INSUFFICIENT_DATA`).
    public static func insufficientData(_ message: String) -> PluginError {
        PluginError(status: FP_STATUS_INSUFFICIENT_DATA, message)
    }

    /// NaN or infinite input (`FP_STATUS_INVALID_DATA`).
    public static func invalidData(_ message: String) -> PluginError {
        PluginError(status: FP_STATUS_INVALID_DATA, message)
    }

    /// A numerical failure: singular design, constant series, no convergence (`FP_STATUS_NUMERICAL`).
    public static func numerical(_ message: String) -> PluginError {
        PluginError(status: FP_STATUS_NUMERICAL, message)
    }

    /// The host asked to stop (`FP_STATUS_CANCELLED`).
    public static let cancelled = PluginError(status: FP_STATUS_CANCELLED, "training was cancelled by the host")

    /// A blob that is truncated, corrupt or of another format version (`FP_STATUS_BAD_MODEL`).
    public static func badModel(_ message: String) -> PluginError {
        PluginError(status: FP_STATUS_BAD_MODEL, message)
    }

    /// A feature this plugin or model does not offer (`FP_STATUS_UNSUPPORTED`).
    public static func unsupported(_ message: String) -> PluginError {
        PluginError(status: FP_STATUS_UNSUPPORTED, message)
    }

    /// Anything else (`FP_STATUS_INTERNAL`).
    public static func `internal`(_ message: String) -> PluginError {
        PluginError(status: FP_STATUS_INTERNAL, message)
    }

    /// The status name and message, e.g. `invalid data: value 12 is NaN`.
    public var description: String {
        "\(String(cString: fp_status_name(status))): \(message)"
    }
}
