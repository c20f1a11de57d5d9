import Foundation
import PluginProcesses

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
    @discardableResult
    public static func run(_ arguments: [String], in directory: String, timeout: Double = 600) throws -> ProgramRun {
        try ProgramRun.run(child(arguments, in: directory), timeout: timeout)
    }

    /// ``run(_:in:timeout:)`` for async tests: the program runs off the cooperative pool.
    @discardableResult
    public static func run(_ arguments: [String], in directory: String, timeout: Double = 600) async throws -> ProgramRun {
        try await ProgramRun.run(child(arguments, in: directory), timeout: timeout)
    }

    /// Fails with a clear message when `swift build` has not produced the executable.
    public static func requireExecutable() throws {
        guard FileManager.default.isExecutableFile(atPath: BuildProducts.forecastExecutable) else {
            throw TestSetupFailure(message: "\(BuildProducts.forecastExecutable) is missing: run `swift build` before `swift test`")
        }
    }

    /// Throws with the child's output when it did not exit with status 0.
    public static func check(_ finished: ProgramRun, _ step: String) throws {
        guard finished.termination == .exited(0) else {
            throw TestSetupFailure(message: "forecast \(step) failed (\(finished.termination)): \(finished.errors)\(finished.output)")
        }
    }

    /// Sample data of `hours` hours fetched and ingested for `cities` into `workdir` (SQLite):
    /// the work directory most end-to-end tests start from.
    public static func prepareWorkdir(_ workdir: String, hours: Int, cities: [String]) throws {
        try fetchSampleData(into: workdir, hours: hours)
        try check(run(["ingest", "--workdir", workdir] + cities.flatMap { ["--city", $0] }, in: workdir), "ingest")
    }

    /// ``prepareWorkdir(_:hours:cities:)``, then the seasonal-naive plugin (the C baseline,
    /// quick to train) alone in `<workdir>/plugins`, trained: the work directory of most
    /// served-process tests. Returns `--workdir` and `--plugin-dir` for the commands that follow.
    public static func prepareTrainedWorkdir(_ workdir: String, hours: Int, cities: [String]) throws -> [String] {
        try prepareWorkdir(workdir, hours: hours, cities: cities)
        let common = try seasonalNaivePlugins(in: workdir)
        try check(run(["train"] + common, in: workdir), "train")
        return common
    }

    /// A private plugin directory `<workdir>/plugins` holding only the seasonal-naive library;
    /// returns `--workdir` and `--plugin-dir` for the commands that use it.
    public static func seasonalNaivePlugins(in workdir: String) throws -> [String] {
        let plugins = workdir + "/plugins"
        try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: BuildProducts.libraryPath("SeasonalNaive"), toPath: plugins + "/libSeasonalNaive.so")
        return ["--workdir", workdir, "--plugin-dir", plugins]
    }

    /// Sample data of `hours` hours (`<workdir>/sample`) fetched into `<workdir>/data`, not ingested yet.
    public static func fetchSampleData(into workdir: String, hours: Int) throws {
        try requireExecutable()
        let sample = workdir + "/sample"
        try check(run(["sample-data", "--out", sample, "--hours", String(hours)], in: workdir), "sample-data")
        try check(run(["fetch", "--workdir", workdir, "--temperature", sample + "/temperature.csv.zip",
                       "--humidity", sample + "/humidity.csv.zip"], in: workdir), "fetch")
    }
}
