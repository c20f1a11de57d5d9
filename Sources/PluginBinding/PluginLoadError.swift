/// Why a plugin library was refused; each case renders as one line naming the file.
public struct PluginLoadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The reason a library was refused.
    public enum Reason: Sendable, Equatable {
        /// No file at the path.
        case fileMissing
        /// The file, or the directory holding it, is writable by group or others.
        case insecurePermissions(String)
        /// `dlopen` failed: not a shared library, wrong architecture, missing dependency.
        case notLoadable(String)
        /// The library does not export `forecast_plugin_entry`.
        case entrySymbolMissing
        /// The entry function returned NULL.
        case nullDescriptor
        /// The descriptor's ABI major version is not the one this host speaks.
        case unsupportedABI(major: UInt32, minor: UInt32)
        /// The descriptor is smaller than the fields this host needs.
        case descriptorTooSmall(size: UInt32, needed: Int)
        /// A required function pointer is NULL.
        case missingFunction(String)
        /// The name is empty or uses characters outside `[a-z0-9_-]`.
        case invalidName(String)
        /// Another plugin already has this name.
        case duplicateName(String, firstPath: String)
    }

    /// The library's path.
    public var path: String
    /// Why it was refused.
    public var reason: Reason

    /// Creates an error for `path`.
    public init(path: String, reason: Reason) {
        self.path = path
        self.reason = reason
    }

    /// One line: the file and the reason.
    public var description: String { "\(path): \(reasonText)" }

    /// The reason alone, as a sentence fragment.
    public var reasonText: String {
        switch reason {
        case .fileMissing:
            return "file missing"
        case .insecurePermissions(let detail):
            return "refused: \(detail); loading a plugin runs its code, so it must be writable only by its owner (chmod go-w)"
        case .notLoadable(let detail):
            return "not a loadable shared library for this machine (\(detail))"
        case .entrySymbolMissing:
            return "entry symbol 'forecast_plugin_entry' missing: not a forecast plugin"
        case .nullDescriptor:
            return "forecast_plugin_entry returned NULL"
        case .unsupportedABI(let major, let minor):
            return "plugin ABI version \(major).\(minor) is not supported (this host speaks \(PluginABIInfo.major).x)"
        case .descriptorTooSmall(let size, let needed):
            return "descriptor is \(size) bytes, smaller than the \(needed) bytes of ABI \(PluginABIInfo.major).0, the oldest this host reads"
        case .missingFunction(let name):
            return "required function '\(name)' is NULL"
        case .invalidName(let name):
            return "invalid plugin name '\(name)': use 1-64 lowercase letters, digits, '-' or '_'"
        case .duplicateName(let name, let firstPath):
            return "duplicate plugin name '\(name)' (already loaded from \(firstPath))"
        }
    }
}
