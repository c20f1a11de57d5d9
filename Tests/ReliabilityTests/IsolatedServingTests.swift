import Foundation
import Testing
import TestSupport

/// Real broken C plugins under `forecast serve`, which runs each plugin in a supervised
/// worker process: a crash, abort or hang in `load` or `forecast`, and forecasts that are
/// NaN or have the lower bound above the upper, take down only the broken plugin's route.
/// The other routes answer during and after, and the broken route serves again once the
/// library is fixed and the models reloaded.
///
/// The tests are async and wait for child processes off Swift's cooperative pool (see
/// Tests/ServerTests/DedicatedThreadsExecutor.swift for why that matters). Their only time
/// limits are generous ones for a loaded machine: no step is timed.
@Suite("broken plugins under forecast serve, each in its own worker", .serialized)
struct IsolatedServingTests {
    /// A defect in `forecast` that fires only at interval levels below 0.6, so the models
    /// pass the check made while loading (levels 0.8 and 0.95) and the defect strikes in a
    /// request (`?level=0.5`).
    static let requestDefects = [
        "*(volatile int *)0 = 1;",  // crash
        "abort();",
        "for (;;) sleep(1);",  // hang
    ]

    /// Defects the check made while loading catches: a crash in `load`, NaN forecasts, and
    /// a lower bound above the upper one.
    static let loadDefects: [(load: String?, forecast: String?)] = [
        ("*(volatile int *)0 = 1; return FP_STATUS_INTERNAL;", nil),
        (nil, "for (int32_t i = 0; i < h; i++) { mean[i] = NAN; lower[i] = NAN; upper[i] = NAN; } return FP_STATUS_OK;"),
        (nil, "for (int32_t i = 0; i < h; i++) { mean[i] = m->last; lower[i] = m->last + 2; upper[i] = m->last - 2; } return FP_STATUS_OK;"),
    ]

    static func forecastBody(gatedDefect defect: String) -> String {
        """
        if (lv < 0.6) { \(defect) }
        for (int32_t i = 0; i < h; i++) { mean[i] = m->last; lower[i] = m->last - 1; upper[i] = m->last + 1; }
        return FP_STATUS_OK;
        """
    }

    /// Runs blocking `work` on a thread of its own, not on the cooperative pool.
    static func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
        }
    }

    /// A work directory with sample data, models of seasonal-naive and of a well-behaved
    /// plugin `broken` (a plugin author's earlier version), and a plugin directory.
    struct Setup: Sendable {
        let scratch: Scratch
        var plugins: String { scratch.file("plugins") }
        var library: String { scratch.file("plugins/libbroken.so") }

        init() throws {
            scratch = try Scratch("isolated")
            try ForecastCommand.prepareWorkdir(scratch.path, hours: 800, cities: ["San Francisco"])
            try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: BuildProducts.libraryPath("SeasonalNaive"), toPath: plugins + "/libSeasonalNaive.so")
            try install(CPluginBuilder.plugin(name: "broken"))
            let config = #"{"routes": {"v1": {"plugin": "seasonal-naive"}, "v2": {"plugin": "seasonal-naive"}, "v3": {"plugin": "broken"}}}"#
            try config.write(toFile: scratch.file("plugins.json"), atomically: true, encoding: .utf8)
            try ForecastCommand.check(try ForecastCommand.run(["train"] + common + ["--plugin", "seasonal-naive", "--plugin", "broken"],
                                                      in: scratch.path), "train")
        }

        var common: [String] { ["--workdir", scratch.path, "--plugin-dir", plugins, "--config", scratch.file("plugins.json")] }

        /// Builds `source` and renames it over the plugin library, as an upgrade would.
        func install(_ source: String) throws {
            let staging = scratch.file("staging")
            try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
            let built = try CPluginBuilder.compile(source, name: "broken", into: staging)
            guard rename(built, library) == 0 else { throw TestSetupFailure(message: "cannot install \(built)") }
        }

        /// Starts `forecast serve` (plugins in workers, the default) in an environment where
        /// the plugin's crash stays a signal.
        func serve(_ extra: [String] = []) async throws -> ServerProcess {
            var serve = ForecastCommand.child(["serve", "--host", "127.0.0.1", "--port", "0", "--no-store"] + common + extra,
                                              in: scratch.path)
            serve.environment = ForecastCommand.crashingEnvironment
            return try await ServerProcess(serve, logDirectory: scratch.path)
        }
    }

    /// `method path` through curl, off the pool: the status and the body.
    static func request(_ server: ServerProcess, _ path: String, method: String = "GET") async throws -> (status: Int, body: String) {
        let answer = try await request(server, path, method: method, header: nil)
        return (answer.status, answer.body)
    }

    /// `method path` through curl, off the pool: the status, the body and the value of
    /// response header `header` ("" when absent or not asked for).
    static func request(_ server: ServerProcess, _ path: String, method: String = "GET",
                        header: String?) async throws -> (status: Int, body: String, header: String) {
        try await server.request(path, method: method, header: header, seconds: 120)
    }

    /// Requests `path` until it answers 200 (the worker is back), for at most `seconds`.
    static func eventually200(_ server: ServerProcess, _ path: String, seconds: Double = 120) async throws -> (status: Int, body: String) {
        let deadline = Date().addingTimeInterval(seconds)
        var last = try await request(server, path)
        while last.status != 200 && Date() < deadline {
            try await Task.sleep(for: .milliseconds(200))
            last = try await request(server, path)
        }
        return last
    }

    /// Uncached forecasts from the two healthy routes: every status.
    static func healthyRoutes(_ server: ServerProcess, hours: ClosedRange<Int>) async throws -> [Int] {
        var statuses: [Int] = []
        for hour in hours {
            statuses.append(try await request(server, "/v1/forecast/\(hour)").status)
            statuses.append(try await request(server, "/v2/forecast/\(hour)?units=kelvin").status)
        }
        return statuses
    }

    @Test("a plugin that crashes, aborts or hangs in forecast fails only its own request: the other routes answer during and after, the worker restarts, and a fixed library serves after a reload",
          arguments: requestDefects)
    func defectInForecast(defect: String) async throws {
        let setup = try await Self.offPool { try Setup() }
        defer { setup.scratch.remove() }
        try await Self.offPool { try setup.install(CPluginBuilder.plugin(name: "broken", forecast: Self.forecastBody(gatedDefect: defect))) }
        let server = try await setup.serve(["--worker-timeout", "5"])
        do {
            let healthy = try await Self.request(server, "/v3/forecast/24")
            #expect(healthy.status == 200, "\(healthy.body)")

            // The broken request runs while the healthy routes are asked.
            async let broken = Self.request(server, "/v3/forecast/24?level=0.5")
            let during = try await Self.healthyRoutes(server, hours: 1...6)
            let failed = try await broken
            #expect(during.allSatisfy { $0 == 200 }, "\(during)")
            #expect(failed.status == 503, "\(failed.body)")
            #expect(failed.body.contains("plugin_unavailable"), "\(failed.body)")
            let hang = defect.contains("sleep")
            #expect(failed.body.contains(hang ? "did not answer within 5 s" : "crashed in forecast"), "\(failed.body)")

            let after = try await Self.healthyRoutes(server, hours: 7...9)
            #expect(after.allSatisfy { $0 == 200 }, "\(after)")
            let recovered = try await Self.eventually200(server, "/v3/forecast/12")
            #expect(recovered.status == 200, "the worker did not come back: \(recovered.body)")

            let info = try await Self.request(server, "/v3")
            #expect(info.body.contains(#""isolation":"worker""#) && info.body.contains(#""restarts":1"#), "\(info.body)")
            let metrics = try await Self.request(server, "/metrics").body
            let counter = hang ? #"forecast_worker_timeouts_total{plugin="broken"} 1"# : #"forecast_worker_crashes_total{plugin="broken"} 1"#
            #expect(metrics.contains(counter), "\(metrics)")
            #expect(metrics.contains(#"forecast_worker_restarts_total{plugin="broken"} 1"#))
            #expect(metrics.contains(#"forecast_worker_crashes_total{plugin="seasonal-naive"} 0"#))

            // The author fixes the plugin: a reload starts a worker on the new library.
            try await Self.offPool { try setup.install(CPluginBuilder.plugin(name: "broken")) }
            let reload = try await Self.request(server, "/admin/reload", method: "POST")
            #expect(reload.status == 200, "\(reload.body)")
            let fixed = try await Self.request(server, "/v3/forecast/24?level=0.5")
            #expect(fixed.status == 200, "\(fixed.body)")
            #expect(try await Self.healthyRoutes(server, hours: 10...11).allSatisfy { $0 == 200 })
        } catch {
            Issue.record("\(error)\n\(server.log)")
        }
        let ended = await server.stop()
        #expect(ended == .exited(0), "\(ended)\n\(server.log)")
    }

    @Test("while a crashed worker waits to restart, its route answers 503 with the reason and a Retry-After even for a forecast it had cached, and the other routes serve cached and fresh forecasts")
    func downWorkerServesNothingFromCache() async throws {
        let setup = try await Self.offPool { try Setup() }
        defer { setup.scratch.remove() }
        try await Self.offPool { try setup.install(CPluginBuilder.plugin(name: "broken", forecast: Self.forecastBody(gatedDefect: Self.requestDefects[0]))) }
        // A restart delay far longer than the test, so the worker is surely down when asked.
        let server = try await setup.serve(["--worker-restart-delay", "600"])
        do {
            #expect(try await Self.request(server, "/v3/forecast/24").status == 200)
            #expect(try await Self.request(server, "/v1/forecast/24").status == 200)
            let crash = try await Self.request(server, "/v3/forecast/24?level=0.5")
            #expect(crash.status == 503, "\(crash.body)")

            let cached = try await Self.request(server, "/v3/forecast/24", header: "retry-after")
            #expect(cached.status == 503, "\(cached.body)")
            #expect(cached.body.contains("plugin_unavailable") && cached.body.contains("restarting in"), "\(cached.body)")
            let retry = Int(cached.header) ?? 0
            #expect(retry > 60 && retry <= 600, "Retry-After: \(cached.header)")
            let info = try await Self.request(server, "/v3")
            #expect(info.body.contains(#""status":"unavailable""#), "\(info.body)")

            #expect(try await Self.request(server, "/v1/forecast/24").status == 200)  // cached
            #expect(try await Self.healthyRoutes(server, hours: 30...31).allSatisfy { $0 == 200 })  // fresh

            // A reload starts a new worker at once, whatever the pause left.
            let reload = try await Self.request(server, "/admin/reload", method: "POST")
            #expect(reload.status == 200, "\(reload.body)")
            #expect(try await Self.request(server, "/v3/forecast/24").status == 200)
        } catch {
            Issue.record("\(error)\n\(server.log)")
        }
        let ended = await server.stop()
        #expect(ended == .exited(0), "\(ended)\n\(server.log)")
    }

    @Test("a plugin that crashes in load, or whose forecasts are NaN or have the lower bound above the upper, never serves: its route answers 503 with the reason, the others serve, and a fixed library serves after a reload",
          arguments: 0..<loadDefects.count)
    func defectCaughtAtLoad(index: Int) async throws {
        let setup = try await Self.offPool { try Setup() }
        defer { setup.scratch.remove() }
        let defect = Self.loadDefects[index]
        try await Self.offPool { try setup.install(CPluginBuilder.plugin(name: "broken", load: defect.load, forecast: defect.forecast)) }
        let server = try await setup.serve()
        do {
            let broken = try await Self.request(server, "/v3/forecast/24")
            #expect(broken.status == 503, "\(broken.body)")
            let reason = defect.load != nil ? "the plugin crashed in load" : "fails the check"
            #expect(broken.body.contains(reason), "\(broken.body)")
            let ready = try await Self.request(server, "/readyz")
            #expect(ready.body.contains(#""route":"v3""#) && ready.body.contains(reason), "\(ready.body)")
            let healthy = try await Self.healthyRoutes(server, hours: 1...4)
            #expect(healthy.allSatisfy { $0 == 200 }, "\(healthy)")

            try await Self.offPool { try setup.install(CPluginBuilder.plugin(name: "broken")) }
            let reload = try await Self.request(server, "/admin/reload", method: "POST")
            #expect(reload.status == 200, "\(reload.body)")
            let fixed = try await Self.request(server, "/v3/forecast/24")
            #expect(fixed.status == 200, "\(fixed.body)")
            #expect(try await Self.request(server, "/readyz").status == 200)
            #expect(try await Self.healthyRoutes(server, hours: 5...6).allSatisfy { $0 == 200 })
        } catch {
            Issue.record("\(error)\n\(server.log)")
        }
        let ended = await server.stop()
        #expect(ended == .exited(0), "\(ended)\n\(server.log)")
    }

    @Test("a plugin that allocates past the worker's memory limit fails its request cleanly, and every route serves on",
          .enabled(if: ProcessInfo.processInfo.environment["ASAN_OPTIONS"] == nil
                       && ProcessInfo.processInfo.environment["TSAN_OPTIONS"] == nil,
                   "sanitizer builds run workers without a memory limit"))
    func memoryLimit() async throws {
        let setup = try await Self.offPool { try Setup() }
        defer { setup.scratch.remove() }
        // 4 GiB, written to: a plugin that checks malloc gets NULL under the limit and says so.
        let hog = """
            size_t n = (size_t)4 << 30; char *p = malloc(n);
            if (!p) { snprintf(e, c, "out of memory: 4 GiB refused"); return FP_STATUS_OUT_OF_MEMORY; }
            memset(p, 1, n); free(p);
            """
        try await Self.offPool { try setup.install(CPluginBuilder.plugin(name: "broken", forecast: Self.forecastBody(gatedDefect: hog))) }
        let server = try await setup.serve(["--worker-memory-mb", "512"])
        do {
            let refused = try await Self.request(server, "/v3/forecast/24?level=0.5")
            #expect(refused.status == 500, "\(refused.body)")
            #expect(refused.body.contains("out of memory: 4 GiB refused"), "\(refused.body)")
            #expect(try await Self.request(server, "/v3/forecast/24").status == 200)
            #expect(try await Self.healthyRoutes(server, hours: 1...3).allSatisfy { $0 == 200 })
        } catch {
            Issue.record("\(error)\n\(server.log)")
        }
        let ended = await server.stop()
        #expect(ended == .exited(0), "\(ended)\n\(server.log)")
    }

    @Test("a reload whose new models fail the check is refused and the models serving now keep serving")
    func reloadKeepsOldGenerationWhenTheCheckFails() async throws {
        let setup = try await Self.offPool { try Setup() }
        defer { setup.scratch.remove() }
        let server = try await setup.serve()
        do {
            let before = try await Self.request(server, "/v3/forecast/24")
            #expect(before.status == 200, "\(before.body)")
            try await Self.offPool { try setup.install(CPluginBuilder.plugin(name: "broken", forecast: Self.loadDefects[1].forecast)) }
            let reload = try await Self.request(server, "/admin/reload", method: "POST")
            #expect(reload.status == 409, "\(reload.body)")
            #expect(reload.body.contains("fails the check"), "\(reload.body)")
            let after = try await Self.request(server, "/v3/forecast/48")
            #expect(after.status == 200, "\(after.body)")
        } catch {
            Issue.record("\(error)\n\(server.log)")
        }
        let ended = await server.stop()
        #expect(ended == .exited(0), "\(ended)\n\(server.log)")
    }
}
