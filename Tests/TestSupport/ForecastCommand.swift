import Foundation
import PluginHost

/// The built `forecast` executable (``BuildProducts/forecastExecutable``) as a child process,
/// with the `FORECAST_*` variables of the test's own environment cleared.
public enum ForecastCommand {
    /// The environment a `forecast` child gets: the test's, less the `FORECAST_*` settings
    /// that would point it at another work directory, store, configuration or plugin directory.
    public static var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for key in ["FORECAST_HOME", "FORECAST_DATABASE_URL", "FORECAST_CONFIG", "FORECAST_PLUGIN_DIR"] { environment[key] = nil }
        return environment
    }

    /// ``environment`` for a child in which a crash is the behaviour under test (a plugin that
    /// writes through NULL or calls `abort()`): under a sanitizer (scripts/sanitizers) its
    /// signal handlers are off, so the crash stays a signal, as in a normal build, instead of
    /// becoming the sanitizer's report and exit status.
    public static var crashingEnvironment: [String: String] {
        var environment = environment
        for key in ["ASAN_OPTIONS", "TSAN_OPTIONS"] {
            if let options = environment[key] { environment[key] = options + ":handle_segv=0:handle_abort=0" }
        }
        return environment
    }

    /// `forecast arguments...` in `directory`, not started yet.
    public static func child(_ arguments: [String], in directory: String) -> ChildProcess {
        ChildProcess(executable: BuildProducts.forecastExecutable, arguments: arguments, environment: environment, directory: directory)
    }

    /// Runs `forecast arguments...` to completion in `directory`.
    public static func run(_ arguments: [String], in directory: String, timeout: Double = 600) throws -> ProgramRun {
        try ProgramRun.run(child(arguments, in: directory), timeout: timeout)
    }
}
