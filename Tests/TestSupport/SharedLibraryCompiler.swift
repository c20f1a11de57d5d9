import Foundation

/// Compiles one C file into a shared library with the system's `cc`, against the plugin
/// contract header alone, the way a plugin author outside this package would: the one
/// C compiler of the tests (deliberately broken plugins, ABI fixtures, the C example).
public enum SharedLibraryCompiler {
    /// The directory holding `forecast_plugin.h`.
    public static var includeDirectory: String { BuildProducts.packageRoot + "/Sources/PluginABI/include" }

    /// Compiles `source` (a `.c` file) into `output` (mode 0755) with `flags` (optimisation,
    /// warnings) and `includeDirectory` as the only include path; throws with the
    /// compiler's diagnostics when it fails.
    public static func compile(_ source: String, to output: String, includeDirectory: String = includeDirectory,
                               flags: [String] = ["-O1"]) throws {
        let run = try ProgramRun.run("/usr/bin/env", ["cc", "-shared", "-fPIC"] + flags + ["-I", includeDirectory, "-o", output, source, "-lm"])
        guard run.status == 0 else {
            throw TestSetupFailure(message: "cc failed for \(source) (\(run.termination)): \(run.errors)\(run.output)")
        }
        chmod(output, 0o755)
    }

    /// Compiles the C text `source` into `<directory>/<library>` and returns its path; the
    /// source goes to `<directory>/<name>.c` (`name` being `library` without `lib` and `.so`)
    /// for the compiler and is removed afterwards.
    @discardableResult
    public static func compile(text source: String, into directory: String, library: String) throws -> String {
        var name = library.hasSuffix(".so") ? String(library.dropLast(3)) : library
        if name.hasPrefix("lib") { name = String(name.dropFirst(3)) }
        let sourcePath = "\(directory)/\(name).c"
        let output = "\(directory)/\(library)"
        try source.write(toFile: sourcePath, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: sourcePath) }
        try compile(sourcePath, to: output)
        return output
    }
}
