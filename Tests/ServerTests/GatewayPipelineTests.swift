import AsyncHTTPClient
import Foundation
import ForecastServer
import Hummingbird
import Logging
import ServiceLifecycle
import Testing
import TestSupport

/// The gateway's GET requests answered in the channel pipeline, on real sockets: order of
/// pipelined responses, `Connection: close`, graceful shutdown with a request in flight,
/// metrics.
@Suite("gateway in the channel pipeline")
struct GatewayPipelineTests {
    /// Runs `server` on a free port until `body` returns, then shuts it down gracefully.
    ///
    /// The server's tasks run on ``DedicatedThreadsExecutor``, not on Swift's cooperative
    /// pool, which other tests running in parallel may block entirely for seconds.
    static func running<T: Sendable>(_ server: ForecastServer,
                                     _ body: @Sendable (_ port: Int, _ group: ServiceGroup) async throws -> T) async throws -> T {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = await server.buildApplication { _, port in continuation.yield(port) }
        let group = ServiceGroup(configuration: .init(services: [app], logger: Logger(label: "test")))
        let running = Task(executorPreference: DedicatedThreadsExecutor.shared) { try await group.run() }
        defer { running.cancel() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        let result = try await body(port, group)
        await group.triggerGracefulShutdown()
        try await running.value
        return result
    }

    /// An upstream answering `/v1/forecast/N` with the body `N`, after `delay(N)` seconds.
    static func upstream(delay: @escaping @Sendable (Int) -> Double = { _ in 0 }) throws -> ScriptedHTTPServer {
        try ScriptedHTTPServer { head in
            let path = head.split(separator: " ")[1]
            let hours = Int(path.split(separator: "/").last ?? "") ?? 0
            Thread.sleep(forTimeInterval: delay(hours))
            return .response(body: String(hours))
        }
    }

    static func server(_ fixture: ServerFixture, upstream: ScriptedHTTPServer) throws -> ForecastServer {
        try fixture.server(config: ServerFixture.config(routes: [
            .init(name: "v1", target: .plugin("seasonal-naive")),
            .init(name: "v9", target: .upstream("http://127.0.0.1:\(upstream.port)/v1"), timeoutSeconds: 300),
        ]))
    }

    @Test("pipelined requests are answered in order, whichever of them is proxied and however long the upstream takes")
    func pipelinedOrder() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let upstream = try Self.upstream { $0 == 24 ? 0.3 : 0 }
        defer { upstream.stop() }
        try await Self.running(try Self.server(fixture, upstream: upstream)) { port, _ in
            let get = { @Sendable (path: String) in "GET \(path) HTTP/1.1\r\nHost: test\r\n\r\n" }
            let bodies = try await LoopbackConnection.exchange(port: port) { connection in
                // Proxied (slow) first, then in-process, proxied, in-process, proxied; then an
                // in-process request whose answer is not written yet when a proxied one arrives.
                try connection.write(get("/v9/forecast/24") + get("/healthz") + get("/v9/forecast/48") + get("/v1/forecast/0")
                                    + get("/v9/forecast/72"))
                var bodies: [String] = []
                for _ in 0..<5 { bodies.append(try connection.readResponse()?.body ?? "(closed)") }
                try connection.write(get("/metrics") + get("/v9/forecast/12"))
                for _ in 0..<2 { bodies.append(try connection.readResponse()?.body ?? "(closed)") }
                return bodies
            }
            try #require(bodies.count == 7)
            #expect(bodies[0] == "24")
            #expect(bodies[1] == #"{"status":"ok"}"#)
            #expect(bodies[2] == "48")
            #expect(bodies[3].contains("bad_hours"))
            #expect(bodies[4] == "72")
            #expect(bodies[5].contains("forecast_http_requests_total"))
            #expect(bodies[6] == "12")
        }
    }

    @Test("a proxied request with Connection: close is answered, then the connection closes")
    func connectionClose() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let upstream = try Self.upstream()
        defer { upstream.stop() }
        try await Self.running(try Self.server(fixture, upstream: upstream)) { port, _ in
            let (response, closed) = try await LoopbackConnection.exchange(port: port) { connection in
                try connection.write("GET /v9/forecast/6 HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
                return (try connection.readResponse(), connection.isClosedByServer())
            }
            #expect(response?.status == 200)
            #expect(response?.body == "6")
            #expect(response?.headers["connection"] == "close")
            #expect(closed)
        }
    }

    @Test("a graceful shutdown lets a proxied request in flight finish")
    func shutdownWaitsForProxiedRequest() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let upstream = try Self.upstream { _ in 0.5 }
        defer { upstream.stop() }
        let status = try await Self.running(try Self.server(fixture, upstream: upstream)) { port, group in
            async let response = HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/v9/forecast/3"),
                                                           timeout: .seconds(10))
            try await Task.sleep(for: .milliseconds(150))  // the upstream is still sleeping
            await group.triggerGracefulShutdown()
            let answered = try await response
            #expect(String(buffer: try await answered.body.collect(upTo: 1024)) == "3")
            return answered.status.code
        }
        #expect(status == 200)
    }

    @Test("proxied requests are counted in /metrics under their route, failures with their status")
    func metrics() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let live = try Self.upstream()
        defer { live.stop() }
        let refusing = try Self.upstream()
        refusing.stop()  // nothing listens on its port any more: connections are refused (retried until the deadline), 502 after 0.3 s
        let server = try fixture.server(config: ServerFixture.config(routes: [
            .init(name: "v9", target: .upstream("http://127.0.0.1:\(live.port)/v1"), timeoutSeconds: 300),
            .init(name: "v8", target: .upstream("http://127.0.0.1:\(refusing.port)/v1"), timeoutSeconds: 0.3),
        ]))
        try await Self.running(server) { port, _ in
            // The 502's Date must be the time it was answered: between a clock reading before
            // it was asked and one right after it arrived (the header has whole seconds).
            let asked = Date()
            let (responses, answered) = try await LoopbackConnection.exchange(port: port) { connection in
                var responses: [LoopbackConnection.Response?] = []
                var answered = Date.distantFuture
                for path in ["/v9/forecast/24", "/v9/forecast/24", "/v9/forecast/24", "/v8/forecast/24", "/metrics"] {
                    try connection.write("GET \(path) HTTP/1.1\r\nHost: test\r\n\r\n")
                    responses.append(try connection.readResponse())
                    if path.hasPrefix("/v8") { answered = Date() }
                }
                return (responses, answered)
            }
            #expect(responses[0..<3].allSatisfy { $0?.status == 200 })
            let failed = try #require(responses[3])
            #expect(failed.status == 502)
            #expect(failed.body.contains("upstream_failed"))
            #expect(failed.headers["content-type"] == "application/json; charset=utf-8")
            let format = DateFormatter()
            format.locale = Locale(identifier: "en_US_POSIX")
            format.timeZone = TimeZone(identifier: "GMT")
            format.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
            let date = try #require(format.date(from: failed.headers["date"] ?? ""), "Date: \(failed.headers["date"] ?? "none")")
            #expect(date.timeIntervalSince1970 >= asked.timeIntervalSince1970.rounded(.down) - 1
                    && date.timeIntervalSince1970 <= answered.timeIntervalSince1970 + 1,
                    "Date \(date) is not between \(asked) and \(answered)")
            let lines = try #require(responses[4]).body.split(separator: "\n")
            #expect(lines.contains { $0.hasPrefix("forecast_http_requests_total{") && $0.contains("route=\"v9\"")
                && $0.contains("status=\"200\"") && $0.hasSuffix(" 3") })
            #expect(lines.contains { $0.hasPrefix("forecast_http_requests_total{") && $0.contains("route=\"v8\"")
                && $0.contains("status=\"502\"") && $0.hasSuffix(" 1") })
        }
    }
}
