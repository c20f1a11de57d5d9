import Foundation
import Locking
import PluginProcesses
import TestSupport
import Testing

/// `forecast serve` on SIGTERM, as a replica behind a gateway needs it: out of the pool
/// first (`/readyz` 503 while everything is still served), then the listener closes, the
/// request in flight finishes, and the process exits 0. No timing is asserted: each step
/// is waited for, with deadlines only against a hang.
@Suite("serve: SIGTERM drains before the shutdown")
struct DrainOnTerminateTests {
    /// `curl URL`: the HTTP status (0 when curl failed) and the body.
    static func curl(_ url: String) throws -> (Int, [String: Any]) {
        let run = try ProgramRun.run(ChildProcess(executable: "/usr/bin/curl", arguments: ["-s", "--max-time", "30", "-w", "\n%{http_code}", url]), timeout: 60)
        let lines = run.output.split(separator: "\n", omittingEmptySubsequences: false)
        let body = lines.dropLast().joined(separator: "\n")
        return (Int(lines.last ?? "") ?? 0, (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:])
    }

    /// Waits up to `seconds` for `condition`; whether it held.
    static func eventually(_ seconds: Double = 60, _ condition: () throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return try condition()
    }

    @Test("on SIGTERM /readyz answers 503 draining while requests are served; then the listener closes, the request in flight finishes, and it exits 0",
          .enabled(if: FileManager.default.isExecutableFile(atPath: BuildProducts.forecastExecutable)
                   && FileManager.default.isExecutableFile(atPath: "/usr/bin/curl"), "needs the forecast executable and curl"))
    func sigtermDrains() async throws {
        // An upstream that holds every answer until released: the request in flight.
        let release = Locked(false)
        let upstream = try ScriptedHTTPServer { _ in
            while !release.withLock({ $0 }) { Thread.sleep(forTimeInterval: 0.02) }
            return .response(body: #"{"slow":true}"#)
        }
        defer {
            release.withLock { $0 = true }
            upstream.stop()
        }
        let root = NSTemporaryDirectory() + "drain-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/plugins", withIntermediateDirectories: true)
        try Data(#"{"routes": {"slow": {"upstream": "http://127.0.0.1:\#(upstream.port)/slow", "timeoutSeconds": 120}}}"#.utf8)
            .write(to: URL(fileURLWithPath: root + "/gateway.json"))
        let server = try await ServerProcess(ChildProcess(
            executable: BuildProducts.forecastExecutable,
            arguments: ["serve", "--port", "0", "--no-store", "--config", root + "/gateway.json", "--plugin-dir", root + "/plugins",
                        "--workdir", root, "--drain-seconds", "1"],
            environment: ForecastCommand.environment))
        defer {
            server.stop()
            server.removeLog()
        }
        let before = try Self.curl(server.baseURL + "/readyz")
        #expect(before.0 == 200 && before.1["draining"] as? Bool == false, "\(before) \(server.log)")

        var request = ChildProcess(executable: "/usr/bin/curl",
                                   arguments: ["-s", "--max-time", "120", "-w", "\n%{http_code}", server.baseURL + "/slow/forecast/24"])
        request.standardOutput = .file(root + "/in-flight.out")
        request.standardError = .discard
        let inFlight = try request.start()
        #expect(try await Self.eventually { upstream.requests.count >= 1 }, "the request never reached the upstream")

        server.send(SIGTERM)
        // Answered while draining: out of the pool, and still serving.
        var draining: (Int, [String: Any]) = (0, [:])
        #expect(try await Self.eventually {
            draining = try Self.curl(server.baseURL + "/readyz")
            return draining.0 == 503
        }, "no 503 from /readyz after SIGTERM: \(draining) \(server.log)")
        #expect(draining.1["draining"] as? Bool == true && draining.1["ready"] as? Bool == false, "\(draining)")
        #expect((draining.1["error"] as? [String: Any])?["code"] as? String == "draining", "\(draining)")

        // After the drain the listener closes (curl: connection refused, status 0) while the
        // request in flight is still held by the upstream.
        #expect(try await Self.eventually { server.log.contains("drained: stopping") }, "\(server.log)")
        #expect(try await Self.eventually { try Self.curl(server.baseURL + "/healthz").0 == 0 }, "the listener stayed open: \(server.log)")
        #expect(inFlight.isRunning, "the request in flight ended before its answer came")
        #expect(server.child.isRunning, "the server left before its request in flight finished")

        release.withLock { $0 = true }
        #expect(inFlight.wait(timeout: 60) == .exited(0))
        let answer = (try? String(contentsOfFile: root + "/in-flight.out", encoding: .utf8)) ?? ""
        #expect(answer == "{\"slow\":true}\n200", "the request in flight got: \(answer)")
        #expect(server.child.wait(timeout: 60) == .exited(0), "\(server.log)")
    }
}
