import Foundation

/// Compiles one C file into a shared library with the system's `cc`, against the plugin
/// contract header alone, the way a plugin author outside this package would.
public enum SharedLibraryCompiler {
    /// The directory holding `forecast_plugin.h`.
    public static var includeDirectory: String { BuildProducts.packageRoot + "/Sources/PluginABI/include" }

    /// Compiles `source` (a `.c` file) into `output` (mode 0755); throws with the compiler's
    /// diagnostics when it fails.
    public static func compile(_ source: String, to output: String) throws {
        let run = try ProgramRun.run("/usr/bin/env", ["cc", "-shared", "-fPIC", "-O1", "-I", includeDirectory, "-o", output, source, "-lm"])
        guard run.status == 0 else {
            throw TestSetupFailure(message: "cc failed for \(source) (\(run.termination)): \(run.errors)\(run.output)")
        }
        chmod(output, 0o755)
    }
}
