import Foundation

/// Runs child processes from async tests without blocking the cooperative thread pool.
enum ProcessRunner {
    /// The result of a finished process.
    struct Finished {
        var status: Int32
        var output: String
    }

    /// Runs `path` with `arguments` to completion; stdout and stderr go to a temp file that is read back.
    static func run(_ path: String, _ arguments: [String], timeout: Duration = .seconds(60)) async throws -> Finished {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let outputPath = NSTemporaryDirectory() + "proc-\(UUID().uuidString).out"
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        process.standardOutput = handle
        process.standardError = handle
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
                return
            }
            let pid = process.processIdentifier
            Task {
                try? await Task.sleep(for: timeout)
                if process.isRunning { kill(pid, SIGKILL) }
            }
        }
        try handle.close()
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        return Finished(status: status, output: output)
    }
}

/// A `forecast serve` child process: started, its port read from its first line, stopped with SIGTERM.
final class ServeProcess: @unchecked Sendable {
    // @unchecked: `process` is only touched by the test that owns this object.
    let process = Process()
    let port: Int
    let logPath: String

    /// Starts `forecast serve --port 0 ARGS...` and waits for its "listening on" line.
    init(executable: String, arguments: [String], environment: [String: String] = [:]) async throws {
        logPath = NSTemporaryDirectory() + "serve-\(UUID().uuidString).log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["serve", "--host", "127.0.0.1", "--port", "0"] + arguments
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let deadline = ContinuousClock.now + .seconds(30)
        var found: Int?
        while found == nil, ContinuousClock.now < deadline, process.isRunning {
            let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("listening on http://") }),
               let port = Int(line.split(separator: ":").last ?? "") {
                found = port
            } else {
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        guard let found else {
            if process.isRunning { process.terminate() }
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            throw ServeProcessError(message: "forecast serve did not report a port: \(log)")
        }
        port = found
    }

    /// SIGTERM, then the exit status once it has shut down gracefully.
    func stop() async -> Int32 {
        process.terminate()
        let deadline = ContinuousClock.now + .seconds(20)
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(atPath: logPath)
        return process.isRunning ? -1 : process.terminationStatus
    }

    /// Sends `signal` to the process.
    func send(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// What the process has logged so far.
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
}

/// A child server that failed to start.
struct ServeProcessError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
