import Foundation
import TestSupport

/// Runs the built `forecast` executable (BuildProducts.forecastExecutable) as a child process.
enum ForecastCLI {
    /// The outcome of a finished run.
    struct Finished {
        var status: Int32
        var reason: Process.TerminationReason
        var output: String
        var errors: String
        /// True when the process exited on its own with `status` (not killed by a signal).
        var exited: Bool { reason == .exit }
    }

    /// Fails with a clear message when `swift build` has not produced the executable.
    static func requireExecutable() throws {
        guard FileManager.default.isExecutableFile(atPath: BuildProducts.forecastExecutable) else {
            throw ScratchFailure(message: "\(BuildProducts.forecastExecutable) is missing: run `swift build` before `swift test`")
        }
    }

    /// A process for `arguments` run in `directory`, with the FORECAST_* environment cleared.
    static func process(_ arguments: [String], in directory: String) -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: BuildProducts.forecastExecutable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var environment = ProcessInfo.processInfo.environment
        for key in ["FORECAST_HOME", "FORECAST_DATABASE_URL", "FORECAST_CONFIG", "FORECAST_PLUGIN_DIR"] { environment[key] = nil }
        process.environment = environment
        return process
    }

    /// Runs `forecast arguments...` to completion in `directory`.
    ///
    /// Output goes to temporary files, not pipes: a pipe's write end can leak into a child
    /// another test spawns at the same moment (Foundation's pipes are not close-on-exec),
    /// and then reading to end-of-file would wait for that unrelated process.
    @discardableResult
    static func run(_ arguments: [String], in directory: String) throws -> Finished {
        let process = process(arguments, in: directory)
        let stem = NSTemporaryDirectory() + "forecast-cli-\(UUID().uuidString)"
        let outputPath = stem + ".out", errorPath = stem + ".err"
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: outputPath)
            try? FileManager.default.removeItem(atPath: errorPath)
        }
        let output = FileHandle(forWritingAtPath: outputPath), errors = FileHandle(forWritingAtPath: errorPath)
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        process.waitUntilExit()
        try? output?.close()
        try? errors?.close()
        let outputText = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let errorText = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
        return Finished(status: process.terminationStatus, reason: process.terminationReason, output: outputText, errors: errorText)
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
    static func check(_ finished: Finished, _ step: String) throws {
        guard finished.exited, finished.status == 0 else {
            throw ScratchFailure(message: "forecast \(step) failed (\(finished.reason == .exit ? "status" : "signal") \(finished.status)): \(finished.errors)\(finished.output)")
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
