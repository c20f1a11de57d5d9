import ForecastConfiguration
import ForecastServer
import Foundation
import Hummingbird
import HummingbirdTesting
import PluginProcesses
import TestSupport
import Testing

/// A plugin route served through a worker process (`forecast serve-worker`) answers
/// exactly what the same route answers in-process, and reports its worker.
@Suite("plugin routes served by workers")
struct WorkerServingTests {
    static var workers: PluginWorker.Settings {
        PluginWorker.Settings(executable: BuildProducts.forecastExecutable)
    }

    @Test("a route whose plugin runs in a worker answers byte for byte what the in-process route answers",
          .enabled(if: FileManager.default.isExecutableFile(atPath: BuildProducts.forecastExecutable),
                   "the forecast executable is not built (run swift build first)"))
    func sameBodies() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let inProcess = Application(router: try fixture.server().buildRouter())
        let isolated = try fixture.server(workers: Self.workers)
        let uris = ["/v1/forecast/72", "/v1/forecast/1?city=Portland", "/v1/forecast/168?city=portland&units=fahrenheit&level=0.8"]
        let expected = try await inProcess.test(.router) { client in
            var bodies: [ByteBuffer] = []
            for uri in uris { bodies.append(try await client.execute(uri: uri, method: .get).body) }
            return bodies
        }
        try await Application(router: isolated.buildRouter()).test(.router) { client in
            for (uri, body) in zip(uris, expected) {
                let response = try await client.execute(uri: uri, method: .get)
                #expect(response.status == .ok, "\(uri): \(String(buffer: response.body))")
                #expect(response.body == body, "\(uri) differs through the worker")
            }
            let info = String(buffer: try await client.execute(uri: "/v1", method: .get).body)
            #expect(info.contains(#""isolation":"worker""#) && info.contains(#""state":"running""#), "\(info)")
            let metrics = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            #expect(metrics.contains(#"forecast_worker_up{plugin="seasonal-naive"} 1"#), "\(metrics)")
            #expect(metrics.contains(#"forecast_worker_restarts_total{plugin="seasonal-naive"} 0"#))
            let ready = try await client.execute(uri: "/readyz", method: .get)
            #expect(ready.status == .ok)
        }
    }

    @Test("a worker killed from outside is restarted, and its route answers again with the models it had",
          .enabled(if: FileManager.default.isExecutableFile(atPath: BuildProducts.forecastExecutable),
                   "the forecast executable is not built (run swift build first)"))
    func killedWorkerRestarts() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let server = try fixture.server(workers: Self.workers)
        let worker = try #require(server.library.current.routes["v1"]?.worker)
        guard case .running(let pid) = worker.currentState else {
            Issue.record("the worker is not running: \(worker.currentState)")
            return
        }
        try await Application(router: server.buildRouter()).test(.router) { client in
            #expect(try await client.execute(uri: "/v1/forecast/5", method: .get).status == .ok)
            kill(pid, SIGKILL)
            // The next uncached forecast finds the worker dead (503, or 200 once restarted);
            // within a generous time it answers 200 from a new worker.
            var status = HTTPResponse.Status.serviceUnavailable
            var hours = 6
            let deadline = ContinuousClock.now + .seconds(60)
            while status != .ok && ContinuousClock.now < deadline {
                let response = try await client.execute(uri: "/v1/forecast/\(hours)", method: .get)
                status = response.status
                #expect(status == .ok || status == .serviceUnavailable, "\(String(buffer: response.body))")
                hours += 1
                if status != .ok { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(status == .ok)
        }
        guard case .running(let newPID) = worker.currentState else {
            Issue.record("the worker did not come back: \(worker.currentState)")
            return
        }
        #expect(newPID != pid)
        #expect(worker.statistics.current.restarts == 1)
    }

    @Test("plugins.json says where a plugin runs: \"in-process\" in the server, \"worker\" (the default) in a worker; another value is an error naming the key")
    func isolationKey() throws {
        let parsed = try ForecastConfig.parse(Data(#"{"plugins": {"seasonal-naive": {"isolation": "in-process"}, "arima": {"isolation": "worker"}}}"#.utf8))
        #expect(parsed.pluginIsolation == ["seasonal-naive": .inProcess, "arima": .worker])
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        var config = ServerFixture.config()
        config.pluginIsolation = parsed.pluginIsolation
        let server = try fixture.server(config: config, workers: Self.workers)
        #expect(server.library.isolation(of: "seasonal-naive") == .inProcess)
        #expect(server.library.current.routes["v1"]?.worker == nil)
        #expect(server.library.current.routes["v1"]?.isReady == true)
        #expect(try fixture.server(workers: Self.workers).library.current.routes["v1"]?.worker != nil)
        let error = #expect(throws: ConfigError.self) {
            _ = try ForecastConfig.parse(Data(#"{"plugins": {"x": {"isolation": "sandbox"}}}"#.utf8))
        }
        #expect(error?.message == "'plugins.x.isolation' must be 'worker' or 'in-process'", "\(String(describing: error))")
    }
}
