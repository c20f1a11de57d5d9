import Foundation
import PluginHost
import TestSupport

/// Runs the built `forecast` executable (BuildProducts.forecastExecutable) as a child process.
enum ForecastCLI {
    /// Fails with a clear message when `swift build` has not produced the executable.
    static func requireExecutable() throws {
        guard FileManager.default.isExecutableFile(atPath: BuildProducts.forecastExecutable) else {
            throw TestSetupFailure(message: "\(BuildProducts.forecastExecutable) is missing: run `swift build` before `swift test`")
        }
    }

    /// `forecast arguments...` in `directory`, with the FORECAST_* environment cleared, not started yet.
    static func child(_ arguments: [String], in directory: String) -> ChildProcess {
        ForecastCommand.child(arguments, in: directory)
    }

    /// Runs `forecast arguments...` to completion in `directory`.
    @discardableResult
    static func run(_ arguments: [String], in directory: String) throws -> ProgramRun {
        try ForecastCommand.run(arguments, in: directory)
    }

    /// Sample data of `hours` hours fetched and ingested for `cities` into `<workdir>` (SQLite).
    static func prepareWorkdir(_ workdir: String, hours: Int, cities: [String]) throws {
        try requireExecutable()
        let sample = workdir + "/sample"
        try check(run(["sample-data", "--out", sample, "--hours", String(hours)], in: workdir), "sample-data")
        try check(run(["fetch", "--workdir", workdir, "--temperature", sample + "/temperature.csv.zip",
                       "--humidity", sample + "/humidity.csv.zip"], in: workdir), "fetch")
        try check(run(["ingest", "--workdir", workdir] + cities.flatMap { ["--city", $0] }, in: workdir), "ingest")
    }

    /// Throws with the child's output when it did not exit with status 0.
    static func check(_ finished: ProgramRun, _ step: String) throws {
        guard finished.termination == .exited(0) else {
            throw TestSetupFailure(message: "forecast \(step) failed (\(finished.termination)): \(finished.errors)\(finished.output)")
        }
    }
}

/// Every model file under `root` (`<plugin>/<city>/<variable>.model`), and every temporary
/// file a publish left behind.
struct ModelTree {
    var models: [String: Data] = [:]
    var temporaries: [String] = []

    init(root: String) {
        guard let walker = FileManager.default.enumerator(atPath: root) else { return }
        while let relative = walker.nextObject() as? String {
            let path = "\(root)/\(relative)"
            let name = (relative as NSString).lastPathComponent
            if name.hasSuffix(".model") {
                models[relative] = FileManager.default.contents(atPath: path)
            } else if name.hasPrefix(".") && name.contains(".tmp-") {
                temporaries.append(relative)
            }
        }
    }
}
