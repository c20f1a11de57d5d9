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
            process.arguments = ["-u", user, "--", BuildProducts.forecastExecutable] + (process.arguments ?? [])
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
        }
        let output = Pipe()
        process.standardOutput = output
        let errorLog = "\(directory)/serve-\(UUID().uuidString).err"
        _ = FileManager.default.createFile(atPath: errorLog, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: errorLog)
        try process.run()
        var text = ""
        while !text.contains("\n") || !text.contains("listening on") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let range = text.range(of: "listening on "),
              let line = text[range.upperBound...].split(separator: "\n").first else {
            process.terminate()
            process.waitUntilExit()
            let log = (try? String(contentsOfFile: errorLog, encoding: .utf8)) ?? ""
            throw ScratchFailure(message: "forecast serve did not start: \(text) \(log)")
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

    /// The status and body of `method path`.
    func request(_ path: String, method: String = "GET") throws -> (status: Int, body: String) {
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        curl.arguments = ["curl", "-s", "-m", "20", "-X", method, "-w", "\n%{http_code}", baseURL + path]
        let output = Pipe()
        curl.standardOutput = output
        try curl.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        curl.waitUntilExit()
        var text = String(decoding: data, as: UTF8.self)
        guard let newline = text.lastIndex(of: "\n") else { throw ScratchFailure(message: "curl gave no status for \(path)") }
        let status = Int(text[text.index(after: newline)...]) ?? 0
        text.removeSubrange(newline...)
        return (status, text)
    }
}
