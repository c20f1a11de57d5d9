import Foundation
import PluginHost
import TestSupport

/// Runs child processes from async tests without blocking the cooperative thread pool.
enum ProcessRunner {
    /// The result of a finished process.
    struct Finished {
        var status: Int32
        var output: String
    }

    /// Runs `path` with `arguments` to completion, killing it after `timeout`; `output` is its
    /// standard output followed by its standard error.
    static func run(_ path: String, _ arguments: [String], timeout: Duration = .seconds(60)) async throws -> Finished {
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        let run = try await ProgramRun.run(ChildProcess(executable: path, arguments: arguments), timeout: seconds)
        return Finished(status: run.status, output: run.output + run.errors)
    }
}

/// A `forecast serve` child process: started, its port read from its "listening on" line, stopped with SIGTERM.
final class ServeProcess: Sendable {
    let server: ServerProcess

    /// The port it listens on.
    var port: Int { server.port }

    /// Starts `forecast serve --port 0 ARGS...` and waits for its "listening on" line.
    init(executable: String, arguments: [String], environment: [String: String] = [:]) async throws {
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        let serve = ChildProcess(executable: executable, arguments: ["serve", "--host", "127.0.0.1", "--port", "0"] + arguments, environment: env)
        server = try await ServerProcess(serve, timeout: 120)
    }

    /// SIGTERM, then the exit status once it has shut down gracefully (-1 when it had to be killed).
    func stop() async -> Int32 {
        let ended = await server.stop(grace: 20)
        server.removeLog()
        if case .exited(let status) = ended { return status }
        return -1
    }

    /// Sends `signal` to the process.
    func send(_ signal: Int32) {
        server.send(signal)
    }

    /// What the process has logged so far.
    var log: String { server.log }
}
