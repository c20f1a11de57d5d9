import PluginABI

/// The plugin ABI version this host speaks, from `forecast_plugin.h`.
public enum PluginABIInfo {
    /// The major version; a plugin with another major version is refused.
    public static let major = UInt32(FP_ABI_VERSION_MAJOR)
    /// The minor version this host was built with.
    public static let minor = UInt32(FP_ABI_VERSION_MINOR)
    /// The version as `major.minor`.
    public static var text: String { "\(major).\(minor)" }
    /// The descriptor size of ABI 1.0: every field the host reads.
    public static let minimumDescriptorSize = MemoryLayout<fp_plugin_descriptor>.size

    /// The human-readable name of an `FP_STATUS_*` code.
    public static func statusName(_ status: Int32) -> String {
        String(cString: fp_status_name(status))
    }
}
