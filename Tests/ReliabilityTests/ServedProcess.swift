import Foundation
import TestSupport

/// A `forecast serve` child process on loopback, and plain HTTP to it through curl.
final class ServedProcess {
    let process: Process
    /// `http://127.0.0.1:PORT`.
    let baseURL: String

    /// Where the server's standard error (its log) goes.
    let errorLog: String

    /// Starts `forecast serve --port 0 arguments...` in `directory` and waits for its "listening on" line.
    ///
    /// With `user`, the server runs as that user through `runuser` (the caller must be root).
    init(_ arguments: [String], in directory: String, user: String? = nil) throws {
        let process = ForecastCLI.process(["serve", "--host", "127.0.0.1", "--port", "0"] + arguments, in: directory)
        if let user {
            // The build directory may sit in a private (0700) checkout the user cannot enter,
            // as a service's files would not: run a copy of the executable from `directory`.
            let executable = "\(directory)/forecast-\(UUID().uuidString)"
            try FileManager.default.copyItem(atPath: BuildProducts.forecastExecutable, toPath: executable)
            chmod(executable, 0o755)
            process.arguments = ["-u", user, "--", executable] + (process.arguments ?? [])
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
        }
        // Files, not pipes (see ForecastCLI.run): poll the output for the "listening on" line.
        let outputLog = "\(directory)/serve-\(UUID().uuidString).out"
        let errorLog = "\(directory)/serve-\(UUID().uuidString).err"
        _ = FileManager.default.createFile(atPath: outputLog, contents: nil)
        _ = FileManager.default.createFile(atPath: errorLog, contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: outputLog)
        process.standardError = FileHandle(forWritingAtPath: errorLog)
        try process.run()
        var line: Substring?
        let deadline = Date().addingTimeInterval(120)
        while line == nil && process.isRunning && Date() < deadline {
            let text = (try? String(contentsOfFile: outputLog, encoding: .utf8)) ?? ""
            if let range = text.range(of: "listening on "), let end = text[range.upperBound...].firstIndex(of: "\n") {
                line = text[range.upperBound..<end]
            } else {
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
        guard let line else {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            let log = (try? String(contentsOfFile: errorLog, encoding: .utf8)) ?? ""
            throw ScratchFailure(message: "forecast serve did not start: \(log)")
        }
        self.process = process
        self.errorLog = errorLog
        baseURL = String(line)
    }

    /// What the server logged so far.
    var log: String { (try? String(contentsOfFile: errorLog, encoding: .utf8)) ?? "" }

    /// Sends `signal` to the server.
    func send(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// SIGTERM and wait; returns the exit status.
    func stop() -> Int32 {
        if process.isRunning { send(SIGTERM) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// The status and body of `method path` (curl, with its output in files: see ForecastCLI.run).
    func request(_ path: String, method: String = "GET") throws -> (status: Int, body: String) {
        let stem = NSTemporaryDirectory() + "curl-\(UUID().uuidString)"
        let bodyPath = stem + ".body", statusPath = stem + ".status"
        _ = FileManager.default.createFile(atPath: statusPath, contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: bodyPath)
            try? FileManager.default.removeItem(atPath: statusPath)
        }
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        curl.arguments = ["curl", "-s", "-m", "20", "-X", method, "-o", bodyPath, "-w", "%{http_code}", baseURL + path]
        let status = FileHandle(forWritingAtPath: statusPath)
        curl.standardOutput = status
        try curl.run()
        curl.waitUntilExit()
        try? status?.close()
        let code = Int((try? String(contentsOfFile: statusPath, encoding: .utf8)) ?? "") ?? 0
        guard code > 0 else { throw ScratchFailure(message: "curl gave no status for \(method) \(path)") }
        return (code, (try? String(contentsOfFile: bodyPath, encoding: .utf8)) ?? "")
    }
}
