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
    @discardableResult
    static func run(_ arguments: [String], in directory: String) throws -> Finished {
        let process = process(arguments, in: directory)
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Drain stderr on another thread so neither pipe can fill and block the child.
        let errorText = ErrorCollector(errors.fileHandleForReading)
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Finished(status: process.terminationStatus, reason: process.terminationReason,
                        output: String(decoding: outputData, as: UTF8.self), errors: errorText.wait())
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

/// Reads a pipe to its end on a background thread.
final class ErrorCollector: @unchecked Sendable {
    // @unchecked: `data` is written once by the reading thread before `done` is signalled
    // and read only after waiting on it.
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
    }

    /// Waits for the end of the stream and returns it as text.
    func wait() -> String {
        done.wait()
        return String(decoding: data, as: UTF8.self)
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
