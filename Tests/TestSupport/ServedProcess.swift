import Foundation
import PluginProcesses

/// `forecast serve` as a child process on loopback (`--host 127.0.0.1 --port 0`): the
/// built executable, started in a directory that also holds its log, its port read from
/// its "listening on" line, stopped with SIGTERM, asked over plain HTTP through curl.
public final class ServedProcess: Sendable {
    /// The server (its child process, address and log).
    public let server: ServerProcess

    /// `http://127.0.0.1:PORT`.
    public var baseURL: String { server.baseURL }

    /// The port it listens on.
    public var port: Int { server.port }

    /// The running child.
    public var child: ChildProcess.Running { server.child }

    /// Starts `forecast serve --host 127.0.0.1 --port 0 arguments...` in `directory` and
    /// waits for its "listening on" line.
    ///
    /// With `user`, the server runs as that user through `runuser` (the caller must be root).
    public init(_ arguments: [String], in directory: String, user: String? = nil) throws {
        server = try ServerProcess(try Self.serve(arguments, in: directory, user: user), logDirectory: directory)
    }

    private init(server: ServerProcess) {
        self.server = server
    }

    /// ``init(_:in:user:)`` for async tests: waits without blocking a thread.
    public static func start(_ arguments: [String], in directory: String) async throws -> ServedProcess {
        ServedProcess(server: try await ServerProcess(try serve(arguments, in: directory, user: nil), logDirectory: directory))
    }

    private static func serve(_ arguments: [String], in directory: String, user: String?) throws -> ChildProcess {
        var serve = ForecastCommand.child(["serve", "--host", "127.0.0.1", "--port", "0"] + arguments, in: directory)
        if let user {
            // The build directory may sit in a private (0700) checkout the user cannot enter,
            // as a service's files would not: run a copy of the executable from `directory`.
            let executable = "\(directory)/forecast-\(UUID().uuidString)"
            try FileManager.default.copyItem(atPath: BuildProducts.forecastExecutable, toPath: executable)
            chmod(executable, 0o755)
            serve.arguments = ["-u", user, "--", executable] + serve.arguments
            serve.executable = "/usr/sbin/runuser"
        }
        return serve
    }

    /// What the server printed so far (its log).
    public var log: String { server.log }

    /// Sends `signal` to the server.
    public func send(_ signal: Int32) { server.send(signal) }

    /// SIGTERM and wait (SIGKILL after 20 s); returns the exit status, -1 when it did not exit.
    public func stop() -> Int32 {
        Self.status(server.stop())
    }

    /// ``stop()`` for async tests: waits without blocking a thread.
    public func stop() async -> Int32 {
        Self.status(await server.stop(grace: 20))
    }

    private static func status(_ ended: ChildProcess.Termination) -> Int32 {
        if case .exited(let status) = ended { return status }
        return -1
    }

    /// The status and body of `method path` (curl).
    public func request(_ path: String, method: String = "GET") throws -> (status: Int, body: String) {
        let answer = try server.request(path, method: method)
        return (answer.status, answer.body)
    }

    /// ``request(_:method:)`` for async tests.
    public func request(_ path: String, method: String = "GET") async throws -> (status: Int, body: String) {
        let answer = try await server.request(path, method: method)
        return (answer.status, answer.body)
    }
}
