import PluginABI

/// The plugin ABI version this host speaks, from `forecast_plugin.h`.
public enum PluginABIInfo {
    /// The major version; a plugin with another major version is refused.
    public static let major = UInt32(FP_ABI_VERSION_MAJOR)
    /// The minor version this host was built with.
    public static let minor = UInt32(FP_ABI_VERSION_MINOR)
    /// The packed version (`major << 16 | minor`) this host reports in `fp_host`.
    public static let packed: UInt32 = FP_ABI_VERSION
    /// The version as `major.minor`.
    public static var text: String { "\(major).\(minor)" }
    /// The descriptor size of ABI 1.0 (everything before `capabilities`): the smallest a
    /// host of this major version accepts.
    public static let minimumDescriptorSize = MemoryLayout<fp_plugin_descriptor>.offset(of: \.capabilities)!

    /// The human-readable name of an `FP_STATUS_*` code.
    public static func statusName(_ status: Int32) -> String {
        String(cString: fp_status_name(status))
    }

    /// Whether a struct that says it is `structSize` bytes long holds the field at
    /// `offset` of `size` bytes (the header's `FP_STRUCT_COVERS`).
    static func covers(structSize: UInt32, offset: Int, size: Int) -> Bool {
        Int(structSize) >= offset + size
    }
}
