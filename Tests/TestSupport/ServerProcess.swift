import Foundation
import PluginProcesses

/// A server child process (`forecast serve`) on loopback: started, its address read from
/// the "listening on http://HOST:PORT" line it prints, stopped with SIGTERM.
///
/// Both outputs go to one log file, not a pipe: nothing would drain a pipe while the server
/// runs, and a server that fills one stops answering.
public final class ServerProcess: Sendable {
    /// The running child.
    public let child: ChildProcess.Running
    /// `http://HOST:PORT`, from its "listening on" line.
    public let baseURL: String
    /// The file holding what it printed.
    public let logPath: String

    /// The port it listens on.
    public var port: Int { Int(baseURL.split(separator: ":").last ?? "") ?? 0 }

    /// What it printed so far (standard output and standard error).
    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Starts `server` with its outputs in a new file under `logDirectory` and waits up to
    /// `timeout` seconds for its "listening on" line; a server that ends or stays silent is
    /// stopped and the error carries its log.
    public init(_ server: ChildProcess, logDirectory: String = NSTemporaryDirectory(), timeout: Double = 120) throws {
        (child, logPath) = try Self.launch(server, logDirectory: logDirectory)
        let deadline = Date().addingTimeInterval(timeout)
        var address = Self.address(in: logPath)
        while address == nil && child.isRunning && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
            address = Self.address(in: logPath)
        }
        baseURL = try Self.started(address, child: child, logPath: logPath, executable: server.executable)
    }

    /// ``init(_:logDirectory:timeout:)`` for async tests: waits without blocking a thread.
    public init(_ server: ChildProcess, logDirectory: String = NSTemporaryDirectory(), timeout: Double = 120) async throws {
        (child, logPath) = try Self.launch(server, logDirectory: logDirectory)
        let deadline = Date().addingTimeInterval(timeout)
        var address = Self.address(in: logPath)
        while address == nil && child.isRunning && Date() < deadline {
            try await Task.sleep(for: .milliseconds(50))
            address = Self.address(in: logPath)
        }
        baseURL = try Self.started(address, child: child, logPath: logPath, executable: server.executable)
    }

    /// Sends `signal` to the server.
    public func send(_ signal: Int32) {
        child.signal(signal)
    }

    /// SIGTERM, up to `grace` seconds for a graceful shutdown, then SIGKILL; how it ended.
    @discardableResult
    public func stop(grace: Double = 20) -> ChildProcess.Termination {
        child.stop(grace: grace)
    }

    /// ``stop(grace:)`` for async tests: waits without blocking a thread.
    @discardableResult
    public func stop(grace: Double = 20) async -> ChildProcess.Termination {
        child.signal(SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while child.isRunning && Date() < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        return child.stop(signal: SIGKILL, grace: 10)
    }

    /// `method path` through curl: the status, the body and the value of response header
    /// `header` ("" when absent or not asked for); curl gives up after `seconds`.
    public func request(_ path: String, method: String = "GET", header: String? = nil,
                        seconds: Int = 20) throws -> (status: Int, body: String, header: String) {
        let (curl, bodyPath) = Self.curl(baseURL + path, method: method, header: header, seconds: seconds)
        defer { try? FileManager.default.removeItem(atPath: bodyPath) }
        return try answer(try ProgramRun.run(curl, timeout: Double(seconds + 60)), bodyPath: bodyPath, method: method, path: path)
    }

    /// ``request(_:method:header:seconds:)`` for async tests: curl runs off the cooperative pool.
    public func request(_ path: String, method: String = "GET", header: String? = nil,
                        seconds: Int = 20) async throws -> (status: Int, body: String, header: String) {
        let (curl, bodyPath) = Self.curl(baseURL + path, method: method, header: header, seconds: seconds)
        defer { try? FileManager.default.removeItem(atPath: bodyPath) }
        return try answer(try await ProgramRun.run(curl, timeout: Double(seconds + 60)), bodyPath: bodyPath, method: method, path: path)
    }

    private static func curl(_ url: String, method: String, header: String?, seconds: Int) -> (ChildProcess, String) {
        let bodyPath = NSTemporaryDirectory() + "curl-\(UUID().uuidString).body"
        let format = "%{http_code}" + (header.map { " %header{\($0)}" } ?? "")
        return (ChildProcess(executable: "/usr/bin/env", arguments: [
            "curl", "-s", "-m", String(seconds), "-X", method, "-o", bodyPath, "-w", format, url,
        ]), bodyPath)
    }

    private func answer(_ curl: ProgramRun, bodyPath: String, method: String, path: String) throws -> (status: Int, body: String, header: String) {
        let fields = curl.output.split(separator: " ", maxSplits: 1).map(String.init)
        guard let first = fields.first, let code = Int(first), code > 0 else {
            throw TestSetupFailure(message: "curl gave no status for \(method) \(path) (\(curl.termination)): \(curl.errors)\n\(log)")
        }
        return (code, (try? String(contentsOfFile: bodyPath, encoding: .utf8)) ?? "",
                fields.count > 1 ? fields[1].trimmingCharacters(in: .whitespacesAndNewlines) : "")
    }

    /// Removes the log file.
    public func removeLog() {
        try? FileManager.default.removeItem(atPath: logPath)
    }

    private static func launch(_ server: ChildProcess, logDirectory: String) throws -> (ChildProcess.Running, String) {
        let logPath = "\(logDirectory)/serve-\(UUID().uuidString).log"
        var server = server
        server.standardOutput = .file(logPath)
        server.standardError = .file(logPath)
        return (try server.start(), logPath)
    }

    /// `http://HOST:PORT` from the first "listening on http://" line in the file, once it is
    /// whole (the server's own log lines on standard error may say "listening on" too).
    private static func address(in logPath: String) -> String? {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        guard let range = text.range(of: "listening on http://"), let end = text[range.upperBound...].firstIndex(of: "\n") else { return nil }
        return "http://" + text[range.upperBound..<end]
    }

    private static func started(_ address: String?, child: ChildProcess.Running, logPath: String, executable: String) throws -> String {
        if let address { return address }
        let ended = child.stop(grace: 5)
        let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        throw TestSetupFailure(message: "\(executable) did not report a listening address (\(ended)): \(log)")
    }
}
