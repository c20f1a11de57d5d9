import Foundation
import PluginHost
import TestSupport

/// A `forecast serve` child process on loopback, and plain HTTP to it through curl.
final class ServedProcess {
    /// The server (its child process, address and log).
    let server: ServerProcess

    /// `http://127.0.0.1:PORT`.
    var baseURL: String { server.baseURL }

    /// The running child.
    var child: ChildProcess.Running { server.child }

    /// Starts `forecast serve --port 0 arguments...` in `directory` and waits for its "listening on" line.
    ///
    /// With `user`, the server runs as that user through `runuser` (the caller must be root).
    init(_ arguments: [String], in directory: String, user: String? = nil) throws {
        var serve = ForecastCLI.child(["serve", "--host", "127.0.0.1", "--port", "0"] + arguments, in: directory)
        if let user {
            // The build directory may sit in a private (0700) checkout the user cannot enter,
            // as a service's files would not: run a copy of the executable from `directory`.
            let executable = "\(directory)/forecast-\(UUID().uuidString)"
            try FileManager.default.copyItem(atPath: BuildProducts.forecastExecutable, toPath: executable)
            chmod(executable, 0o755)
            serve.arguments = ["-u", user, "--", executable] + serve.arguments
            serve.executable = "/usr/sbin/runuser"
        }
        server = try ServerProcess(serve, logDirectory: directory)
    }

    /// What the server printed so far (its log).
    var log: String { server.log }

    /// Sends `signal` to the server.
    func send(_ signal: Int32) { server.send(signal) }

    /// SIGTERM and wait (SIGKILL after 20 s); returns the exit status, -1 when it did not exit.
    func stop() -> Int32 {
        let ended = server.stop()
        if case .exited(let status) = ended { return status }
        return -1
    }

    /// The status and body of `method path` (curl).
    func request(_ path: String, method: String = "GET") throws -> (status: Int, body: String) {
        let bodyPath = NSTemporaryDirectory() + "curl-\(UUID().uuidString).body"
        defer { try? FileManager.default.removeItem(atPath: bodyPath) }
        let curl = try ProgramRun.run("/usr/bin/env", ["curl", "-s", "-m", "20", "-X", method, "-o", bodyPath, "-w", "%{http_code}", baseURL + path],
                                      timeout: 60)
        let code = Int(curl.output) ?? 0
        guard code > 0 else { throw TestSetupFailure(message: "curl gave no status for \(method) \(path) (\(curl.termination)): \(curl.errors)") }
        return (code, (try? String(contentsOfFile: bodyPath, encoding: .utf8)) ?? "")
    }
}
