#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Every plugin found in the plugin directories: those loaded, and those refused with why.
public struct PluginRegistry: Sendable {
    /// Plugins that loaded, in discovery order (directory order, then file name).
    public private(set) var plugins: [LoadedPlugin] = []
    /// Libraries that were refused, each with a one-line reason.
    public private(set) var refused: [PluginLoadError] = []

    /// An empty registry.
    public init() {}

    /// The plugin called `name`, if one loaded.
    public func plugin(named name: String) -> LoadedPlugin? {
        plugins.first { $0.name == name }
    }

    /// Loads every `*.so` (`*.dylib` on macOS) file in `directories`, in file-name order.
    ///
    /// A missing directory is skipped. A refused library is recorded in ``refused``
    /// and skipped, unless `strict` is set, in which case the first refusal is thrown.
    public static func discover(in directories: [String], strict: Bool = false,
                                checkPermissions: Bool = true) throws(PluginLoadError) -> PluginRegistry {
        var registry = PluginRegistry()
        for directory in directories {
            for path in libraryFiles(in: directory) {
                do {
                    try registry.add(try PluginLoader.load(path: path, checkPermissions: checkPermissions))
                } catch {
                    if strict { throw error }
                    registry.refused.append(error)
                }
            }
        }
        return registry
    }

    /// Adds a loaded plugin; throws `duplicateName` when its name is taken.
    public mutating func add(_ plugin: LoadedPlugin) throws(PluginLoadError) {
        if let existing = self.plugin(named: plugin.name) {
            if existing.path == plugin.path { return }
            throw PluginLoadError(path: plugin.path, reason: .duplicateName(plugin.name, firstPath: existing.path))
        }
        plugins.append(plugin)
    }

    /// Records a refusal (for libraries loaded outside ``discover(in:strict:checkPermissions:)``).
    public mutating func recordRefusal(_ error: PluginLoadError) {
        refused.append(error)
    }

    /// The shared-library files directly inside `directory`, sorted by name.
    public static func libraryFiles(in directory: String) -> [String] {
        guard let handle = opendir(directory) else { return [] }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name.hasSuffix(".so") || name.hasSuffix(".dylib") { names.append(name) }
        }
        let base = directory.hasSuffix("/") ? directory : directory + "/"
        return names.sorted().map { base + $0 }
    }
}
