#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PluginABI

/// Loads plugin libraries with `dlopen(RTLD_NOW | RTLD_LOCAL)` and validates their descriptor.
///
/// Libraries are never closed: Swift code cannot be unloaded safely, and a model handle
/// may outlive any particular caller. Loading the same path twice returns the same library.
public enum PluginLoader {
    /// Loads and validates the plugin at `path`.
    ///
    /// - Parameter checkPermissions: refuse a file, or its directory, writable by group
    ///   or others (as sshd refuses such keys). Only tests of that rule turn it off.
    /// - Parameter callTrace: told each entry point's name just before it is called (the
    ///   conformance suite's child process uses it to say where a plugin crashed).
    /// - Throws: ``PluginLoadError`` whose description is one line naming the file and reason.
    ///
    /// A path without a slash names a file in the current directory, as on a command
    /// line (dlopen alone would search the library path for it).
    public static func load(path: String, checkPermissions: Bool = true,
                            callTrace: (@Sendable (String) -> Void)? = nil) throws(PluginLoadError) -> LoadedPlugin {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw PluginLoadError(path: path, reason: .fileMissing)
        }
        if checkPermissions {
            try requireOwnerOnlyWritable(path: path, info: info)
        }
        dlerror()
        guard let library = dlopen(path.contains("/") ? path : "./" + path, RTLD_NOW | RTLD_LOCAL) else {
            let detail = dlerror().map { String(cString: $0) } ?? "dlopen failed"
            throw PluginLoadError(path: path, reason: .notLoadable(shortened(detail, path: path)))
        }
        // Never dlclose `library`: see the type's documentation.
        guard let symbol = dlsym(library, FORECAST_PLUGIN_ENTRY_NAME) else {
            throw PluginLoadError(path: path, reason: .entrySymbolMissing)
        }
        let entry = unsafeBitCast(symbol, to: fp_plugin_entry_fn.self)
        guard let descriptor = entry() else {
            throw PluginLoadError(path: path, reason: .nullDescriptor)
        }
        let copy = try validatedCopy(of: descriptor, path: path)
        return LoadedPlugin(descriptor: copy, path: path, callTrace: callTrace)
    }

    /// Checks the descriptor's version, size, required functions and name, and returns the
    /// host's own copy of it: the `struct_size` bytes the plugin declared, the fields after
    /// them zero (an ABI 1.0 descriptor is shorter than this header's struct, and reading
    /// it whole would read past its end). The copy is never freed, like the library.
    static func validatedCopy(of descriptor: UnsafePointer<fp_plugin_descriptor>, path: String) throws(PluginLoadError)
        -> UnsafePointer<fp_plugin_descriptor> {
        // Read the two leading fields first: a plugin of another major version may
        // have a different layout after them.
        let header = UnsafeRawPointer(descriptor).assumingMemoryBound(to: UInt32.self)
        let abi = header[0]
        let size = header[1]
        guard abi >> 16 == PluginABIInfo.major else {
            throw PluginLoadError(path: path, reason: .unsupportedABI(major: abi >> 16, minor: abi & 0xFFFF))
        }
        guard Int(size) >= PluginABIInfo.minimumDescriptorSize else {
            throw PluginLoadError(path: path, reason: .descriptorTooSmall(size: size, needed: PluginABIInfo.minimumDescriptorSize))
        }
        let copy = UnsafeMutableRawPointer.allocate(byteCount: MemoryLayout<fp_plugin_descriptor>.size,
                                                    alignment: MemoryLayout<fp_plugin_descriptor>.alignment)
        copy.initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<fp_plugin_descriptor>.size)
        copy.copyMemory(from: UnsafeRawPointer(descriptor), byteCount: min(Int(size), MemoryLayout<fp_plugin_descriptor>.size))
        let table = copy.assumingMemoryBound(to: fp_plugin_descriptor.self).pointee
        let required: [(String, Bool)] = [
            ("train", table.train != nil), ("load", table.load != nil), ("forecast", table.forecast != nil),
            ("release_model", table.release_model != nil), ("release_buffer", table.release_buffer != nil),
        ]
        if let missing = required.first(where: { !$0.1 }) {
            throw PluginLoadError(path: path, reason: .missingFunction(missing.0))
        }
        guard let rawName = table.name else { throw PluginLoadError(path: path, reason: .invalidName("")) }
        let name = String(cString: rawName)
        guard isValidName(name) else { throw PluginLoadError(path: path, reason: .invalidName(name)) }
        return UnsafePointer(copy.assumingMemoryBound(to: fp_plugin_descriptor.self))
    }

    /// Whether `name` is 1-64 characters of `[a-z0-9_-]`.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64 && name.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }
    }

    private static func requireOwnerOnlyWritable(path: String, info: stat) throws(PluginLoadError) {
        if info.st_mode & (S_IWGRP | S_IWOTH) != 0 {
            throw PluginLoadError(path: path, reason: .insecurePermissions(
                "the file is writable by \(writers(info.st_mode)) (mode \(octal(info.st_mode)))"))
        }
        let directory = parentDirectory(of: path)
        var dirInfo = stat()
        if stat(directory, &dirInfo) == 0, dirInfo.st_mode & (S_IWGRP | S_IWOTH) != 0 {
            // A sticky, root-owned directory such as /tmp still lets others replace files; refuse it too.
            throw PluginLoadError(path: path, reason: .insecurePermissions(
                "its directory \(directory) is writable by \(writers(dirInfo.st_mode)) (mode \(octal(dirInfo.st_mode)))"))
        }
    }

    private static func writers(_ mode: mode_t) -> String {
        switch (mode & S_IWGRP != 0, mode & S_IWOTH != 0) {
        case (true, true): return "group and others"
        case (true, false): return "group"
        default: return "others"
        }
    }

    private static func octal(_ mode: mode_t) -> String { String(mode & 0o7777, radix: 8) }

    static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let parent = String(path[..<slash])
        return parent.isEmpty ? "/" : parent
    }

    /// dlerror repeats the path; keep just the reason.
    private static func shortened(_ detail: String, path: String) -> String {
        let prefix = path + ": "
        return detail.hasPrefix(prefix) ? String(detail.dropFirst(prefix.count)) : detail
    }
}
