import AsyncHTTPClient
import Foundation
import ForecastServer
import Locking
import NIOCore
import TestSupport
import Testing

/// A gateway route over several upstreams, on real loopback sockets: requests spread over
/// the replicas, a replica whose `/readyz` fails leaves the pool and comes back, a refused
/// connection goes to another replica, and a replica host killed under load loses nothing.
@Suite("gateway: replicated routes")
struct ReplicatedRouteTests {
    /// GET (or HEAD) `url`: the status and the body.
    static func get(_ url: String, head: Bool = false) async throws -> (Int, String) {
        var request = HTTPClientRequest(url: url)
        if head { request.method = .HEAD }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 8 << 20)))
    }

    /// A scripted replica answering its `name` on every path but `/readyz`, which answers
    /// 200 while `ready` holds true and 503 otherwise.
    static func replica(_ name: String, ready: Locked<Bool>) throws -> ScriptedHTTPServer {
        try ScriptedHTTPServer { head in
            let path = head.split(separator: " ")[1]
            if path == "/readyz" {
                return ready.withLock { $0 } ? .response(body: #"{"ready":true}"#) : .response(status: "503 Service Unavailable", body: #"{"ready":false}"#)
            }
            return .response(body: name)
        }
    }

    /// Whether the gateway at `port` has `upstream` of `route` in its pool, from its `/readyz`.
    static func inPool(port: Int, route: String, upstream: String) async throws -> Bool? {
        let (_, body) = try await get("http://127.0.0.1:\(port)/readyz")
        let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        let routes = object?["routes"] as? [[String: Any]] ?? []
        let replicas = routes.first { $0["route"] as? String == route }?["upstreams"] as? [[String: Any]] ?? []
        return replicas.first { $0["url"] as? String == upstream }?["inPool"] as? Bool
    }

    /// Polls `condition` every 100 ms until it holds or `seconds` pass (a guard against a hang, not a speed).
    static func eventually(within seconds: Double = 300, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try await condition()
    }

    @Test("requests spread over the replicas; one whose /readyz answers 503 leaves the pool and is put back once it answers 200")
    func healthChecksTakeOutAndPutBack() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let readyA = Locked(true)
        let a = try Self.replica("A", ready: readyA)
        defer { a.stop() }
        let b = try Self.replica("B", ready: Locked(true))
        defer { b.stop() }
        let urlA = "http://127.0.0.1:\(a.port)/v1"
        let urlB = "http://127.0.0.1:\(b.port)/v1"
        let server = try fixture.server(config: ServerFixture.config(routes: [
            .init(name: "v8", target: .upstream(urlA), timeoutSeconds: 300, upstreams: [urlA, urlB]),
        ]))
        try await GatewayPipelineTests.running(server) { port, _ in
            let forecast = "http://127.0.0.1:\(port)/v8/forecast/24"
            // One at a time, so every replica has nothing outstanding: they take turns.
            var answers: [String] = []
            for _ in 0..<10 { answers.append(try await Self.get(forecast).1) }
            #expect(answers.filter { $0 == "A" }.count == 5, "\(answers)")
            #expect(answers.filter { $0 == "B" }.count == 5, "\(answers)")

            readyA.withLock { $0 = false }
            let out = try await Self.eventually { try await Self.inPool(port: port, route: "v8", upstream: urlA) == false }
            #expect(out, "A stayed in the pool although its /readyz answers 503")
            answers = []
            for _ in 0..<6 { answers.append(try await Self.get(forecast).1) }
            #expect(answers == Array(repeating: "B", count: 6))
            let (headStatus, _) = try await Self.get(forecast, head: true)  // through the router, same pool
            #expect(headStatus == 200)

            readyA.withLock { $0 = true }
            let back = try await Self.eventually { try await Self.inPool(port: port, route: "v8", upstream: urlA) == true }
            #expect(back, "A was not put back once its /readyz answered 200 again")
            answers = []
            for _ in 0..<4 { answers.append(try await Self.get(forecast).1) }
            #expect(answers.contains("A") && answers.contains("B"), "\(answers)")

            let (_, metrics) = try await Self.get("http://127.0.0.1:\(port)/metrics")
            let lines = metrics.split(separator: "\n")
            #expect(lines.contains("forecast_upstream_removals_total{route=\"v8\",upstream=\"\(urlA)\"} 1"), "\(metrics)")
            #expect(lines.contains("forecast_upstream_up{route=\"v8\",upstream=\"\(urlA)\"} 1"))
            #expect(lines.contains("forecast_upstream_outstanding{route=\"v8\",upstream=\"\(urlB)\"} 0"))
            #expect(lines.contains { $0.hasPrefix("forecast_upstream_requests_total{route=\"v8\",upstream=\"\(urlB)\"} ") })
        }
    }

    @Test("a GET whose connection one replica drops or refuses is answered by another at once, and that replica leaves the pool")
    func failedConnectionGoesToAnotherReplica() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let live = try Self.replica("B", ready: Locked(true))
        defer { live.stop() }
        // Ready by its /readyz, but closes every forecast connection without an answer.
        let dropping = try ScriptedHTTPServer { head in
            head.split(separator: " ")[1] == "/readyz" ? .response(body: "{}") : .init(bytes: [], close: true)
        }
        defer { dropping.stop() }
        let refusing = try Self.replica("C", ready: Locked(true))
        refusing.stop()  // nothing listens on its port any more: connections are refused
        let urlA = "http://127.0.0.1:\(dropping.port)/v1"
        let urlB = "http://127.0.0.1:\(live.port)/v1"
        let urlC = "http://127.0.0.1:\(refusing.port)/v1"
        // Timeouts far beyond the test's patience for one request: a failed replica must not
        // be tried again until they are spent.
        let server = try fixture.server(config: ServerFixture.config(routes: [
            .init(name: "v8", target: .upstream(urlA), timeoutSeconds: 120, upstreams: [urlA, urlB]),
            .init(name: "v7", target: .upstream(urlC), timeoutSeconds: 120, upstreams: [urlC, urlB]),
        ]))
        try await GatewayPipelineTests.running(server) { port, _ in
            for route in ["v8", "v7"] {
                for _ in 0..<4 {
                    let (status, body) = try await Self.get("http://127.0.0.1:\(port)/\(route)/forecast/24")
                    #expect(status == 200)
                    #expect(body == "B", "/\(route)")
                }
            }
            // The dropping replica was asked (it starts in the pool, and requests take turns)
            // and every request it dropped went to B.
            let (_, metrics) = try await Self.get("http://127.0.0.1:\(port)/metrics")
            let lines = metrics.split(separator: "\n")
            let retries = lines.first { $0.hasPrefix("forecast_upstream_retries_total{route=\"v8\",upstream=\"\(urlA)\"} ") }
            let failures = lines.first { $0.hasPrefix("forecast_upstream_failures_total{route=\"v8\",upstream=\"\(urlA)\"} ") }
            #expect(retries != nil && retries?.hasSuffix(" 0") == false, "\(metrics)")
            #expect(retries?.split(separator: " ").last == failures?.split(separator: " ").last)
            #expect(try await Self.eventually { try await Self.inPool(port: port, route: "v7", upstream: urlC) == false })
            #expect(lines.contains("forecast_upstream_up{route=\"v7\",upstream=\"\(urlC)\"} 0"))
        }
    }

    @Test("a replica host killed under load loses no request beyond those in flight on it, and serves again once restarted",
          .enabled(if: FileManager.default.isExecutableFile(atPath: BuildProducts.forecastExecutable),
                   "the forecast executable is not built (run swift build first)"))
    func killedReplicaUnderLoad() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let pluginDir = fixture.root + "/plugins"
        try FileManager.default.createDirectory(atPath: pluginDir, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: pluginDir + "/libSeasonalNaive.so",
                                                   withDestinationPath: BuildProducts.libraryPath("SeasonalNaive"))
        try TopologyTests.writeConfig(["routes": ["v1": ["plugin": "seasonal-naive"]]], to: fixture.root + "/v1.json")
        let arguments = ["--workdir", fixture.root, "--no-store", "--in-process", "--config", fixture.root + "/v1.json",
                         "--plugin-dir", pluginDir]
        let hostA = try await ServedProcess.start(arguments, in: fixture.root)
        let hostB = try await ServedProcess.start(arguments, in: fixture.root)
        let urlA = "http://127.0.0.1:\(hostA.port)/v1"
        let urlB = "http://127.0.0.1:\(hostB.port)/v1"
        let restarted = Locked<ServedProcess?>(nil)
        let server = try fixture.server(config: ServerFixture.config(routes: [
            .init(name: "v1", target: .upstream(urlA), timeoutSeconds: 300, upstreams: [urlA, urlB]),
        ]), withStore: false)
        do {
            try await GatewayPipelineTests.running(server) { port, _ in
                let forecast = "http://127.0.0.1:\(port)/v1/forecast/24?city=Portland"
                let (_, expected) = try await Self.get(urlA + "/forecast/24?city=Portland")
                let (_, expectedB) = try await Self.get(urlB + "/forecast/24?city=Portland")
                try #require(expected == expectedB, "the two hosts answer differently before the test starts")

                // A bounded load: `clients` clients, each asking again as soon as it is answered.
                struct Tally { var ok = 0, wrong = 0, failed: [String] = [] }
                let clients = 6
                let tally = Locked(Tally())
                let stop = Locked(false)
                let load = Task {
                    await withTaskGroup(of: Void.self) { group in
                        for _ in 0..<clients {
                            group.addTask {
                                while !stop.withLock({ $0 }) {
                                    do {
                                        let (status, body) = try await Self.get(forecast)
                                        tally.withLock { tally in
                                            if status == 200 && body == expected { tally.ok += 1 } else { tally.wrong += 1; tally.failed.append("\(status) \(body.prefix(200))") }
                                        }
                                    } catch {
                                        tally.withLock { $0.failed.append("\(error)") }
                                    }
                                }
                            }
                        }
                    }
                }
                func answered() -> Int { tally.withLock { $0.ok + $0.wrong + $0.failed.count } }
                // Progress, not speed: on a loaded machine a request may take seconds, so
                // these wait as long as it takes (up to ten minutes) for the counts.
                try #require(try await Self.eventually(within: 600) { answered() >= 100 }, "the load never reached 100 answers")
                hostA.send(SIGKILL)
                let killedAt = answered()
                try #require(try await Self.eventually(within: 600) { answered() >= killedAt + 200 },
                             "the load stalled after the kill: \(answered() - killedAt) answers in ten minutes")
                #expect(try await Self.inPool(port: port, route: "v1", upstream: urlA) == false, "the killed host is still in the pool")

                // The same host again, on the same port: back in the pool and answering.
                let again = try await ServedProcess.start(arguments + ["--port", String(hostA.port)], in: fixture.root)
                restarted.withLock { $0 = again }
                let back = try await Self.eventually { try await Self.inPool(port: port, route: "v1", upstream: urlA) == true }
                #expect(back, "the restarted host was not put back in the pool")
                let requestsToA = { () async throws -> Int in
                    let (_, metrics) = try await Self.get("http://127.0.0.1:\(again.port)/metrics")
                    return metrics.split(separator: "\n").filter { $0.hasPrefix("forecast_http_requests_total{") && $0.contains("route=\"v1\"") }
                        .compactMap { Int($0.split(separator: " ").last ?? "") }.reduce(0, +)
                }
                let served = try await Self.eventually { try await requestsToA() >= 20 }
                #expect(served, "the restarted host got no share of the load")
                stop.withLock { $0 = true }
                await load.value

                let final = tally.withLock { $0 }
                // Only requests in flight on the killed host may fail: at most one per client.
                #expect(final.wrong + final.failed.count <= clients, "lost requests: \(final.failed)")
                #expect(final.ok >= killedAt + 200 - clients, "the load did not go on through the kill")
                print("replicated route under a replica kill: \(final.ok) answered, \(final.wrong + final.failed.count) lost")
            }
        } catch {
            Issue.record("\(error)\nA: \(hostA.log)\nB: \(hostB.log)\nA again: \(restarted.withLock { $0 }?.log ?? "")")
        }
        _ = await hostA.stop()
        _ = await hostB.stop()
        if let again = restarted.withLock({ $0 }) { _ = await again.stop() }
    }
}
