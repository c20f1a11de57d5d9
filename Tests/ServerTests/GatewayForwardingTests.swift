import Foundation
import ForecastServer
import Hummingbird
import HummingbirdTesting
import Testing
import TestSupport

/// The gateway against a scripted upstream: what it sends, what it passes back, how it
/// reuses connections and how it reports upstreams that misbehave.
@Suite("gateway forwarding")
struct GatewayForwardingTests {
    static let forecastBody = #"{"forecast":[]}"#

    /// A server whose route `/v9` forwards to `upstream` under `path` (e.g. `/v1/`).
    static func server(_ fixture: ServerFixture, upstream: ScriptedHTTPServer, path: String = "/v1",
                       timeoutSeconds: Double = 300) throws -> ForecastServer {
        try fixture.server(config: ServerFixture.config(routes: [
            .init(name: "v9", target: .upstream("http://127.0.0.1:\(upstream.port)\(path)"), timeoutSeconds: timeoutSeconds),
        ]))
    }

    @Test("the upstream gets the route's path, the query, Host, Accept and x-forwarded-route; status, type, cache-control and body come back")
    func requestAndResponse() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let upstream = try ScriptedHTTPServer { head in
            head.hasPrefix("GET /v1/forecast/24?")
                ? .response(headers: ["Content-Type: application/json; charset=utf-8", "Cache-Control: max-age=60"], body: Self.forecastBody)
                : .response(status: "404 Not Found", body: #"{"error":{"code":"not_found","message":"no"}}"#)
        }
        defer { upstream.stop() }
        let app = Application(router: try Self.server(fixture, upstream: upstream, path: "/v1/").buildRouter())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/v9/forecast/24?city=San%20Francisco&units=kelvin", method: .get,
                                                    headers: [.accept: "application/json"])
            #expect(response.status == .ok)
            #expect(response.text == Self.forecastBody)
            #expect(response.headers[.contentType] == "application/json; charset=utf-8")
            #expect(response.headers[.cacheControl] == "max-age=60")
            let missing = try await client.execute(uri: "/v9/nothing", method: .get)
            #expect(missing.status == .notFound)
            #expect(try missing.errorCode() == "not_found")
            let info = try await client.execute(uri: "/v9", method: .get)
            #expect(info.status == .notFound)
        }
        let requests = upstream.requests.map { $0.lowercased() }
        try #require(requests.count == 3)
        #expect(requests[0].hasPrefix("get /v1/forecast/24?city=san%20francisco&units=kelvin http/1.1\r\n"), "\(requests[0])")
        #expect(requests[0].contains("\r\nhost: 127.0.0.1:\(upstream.port)"))
        #expect(requests[0].contains("\r\naccept: application/json"))
        #expect(requests[0].contains("\r\nx-forwarded-route: v9"))
        #expect(requests[1].hasPrefix("get /v1/nothing http/1.1\r\n"), "\(requests[1])")
        #expect(requests[2].hasPrefix("get /v1 http/1.1\r\n"), "\(requests[2])")
    }

    @Test("requests arriving on one connection are forwarded over one kept-alive upstream connection")
    func keepAlive() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let upstream = try ScriptedHTTPServer { _ in .response(body: Self.forecastBody) }
        defer { upstream.stop() }
        let server = try Self.server(fixture, upstream: upstream)
        let app = await server.buildApplication()
        try await app.testOnOwnThreads(.live) { client in
            for _ in 0..<50 {
                let response = try await client.execute(uri: "/v9/forecast/24", method: .get)
                #expect(response.status == .ok)
                #expect(response.text == Self.forecastBody)
            }
        }
        #expect(upstream.requests.count == 50)
        #expect(upstream.connections == 1)
    }

    @Test("an upstream that closes its connections, saying so or not, is asked again on a new one and every request succeeds",
          arguments: [true, false])
    func closedConnections(announced: Bool) async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let upstream = try ScriptedHTTPServer { _ in
            .response(headers: ["Content-Type: application/json"] + (announced ? ["Connection: close"] : []),
                      body: Self.forecastBody, close: true)
        }
        defer { upstream.stop() }
        let app = await (try Self.server(fixture, upstream: upstream)).buildApplication()
        try await app.testOnOwnThreads(.live) { client in
            for attempt in 0..<20 {
                let response = try await client.execute(uri: "/v9/forecast/24", method: .get)
                #expect(response.status == .ok, "request \(attempt): \(response.text)")
                // Let the upstream's close arrive before the next request sometimes, and race it other times.
                if attempt.isMultiple(of: 2) { try await Task.sleep(for: .milliseconds(5)) }
            }
        }
        #expect(upstream.connections >= 20)
    }

    @Test("a response that starts and stalls answers 504 at the route's timeout; one that breaks off answers 502")
    func stalledAndBroken() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let upstream = try ScriptedHTTPServer { head in
            let start = Array("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"forecast\"".utf8)
            return head.contains("/stall") ? .init(bytes: start) : .init(bytes: start, close: true)
        }
        defer { upstream.stop() }
        let app = Application(router: try Self.server(fixture, upstream: upstream, timeoutSeconds: 0.5).buildRouter())
        try await app.test(.router) { client in
            // The upstream never finishes, so only the route's timer can answer. (No bound on
            // the elapsed time: with the whole suite running on two cores, tasks wait their
            // turn for many seconds; a 504 at all is what shows the timer fired.)
            let stalled = try await client.execute(uri: "/v9/stall", method: .get)
            #expect(stalled.status == .gatewayTimeout)
            #expect(try stalled.errorCode() == "upstream_timeout")
            #expect(stalled.text.contains("did not answer within 0.5 s"))
        }
        // The broken-off response through a route with a long timeout, so only the close can
        // answer it: on a loaded machine the close may take longer than 0.5 s to arrive.
        let patient = Application(router: try Self.server(fixture, upstream: upstream, timeoutSeconds: 600).buildRouter())
        try await patient.test(.router) { client in
            let broken = try await client.execute(uri: "/v9/broken", method: .get)
            #expect(broken.status == .badGateway)
            #expect(try broken.errorCode() == "upstream_failed")
        }
    }

    @Test("a body announced larger than the gateway passes through answers 502 without waiting for it")
    func tooLarge() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let upstream = try ScriptedHTTPServer { _ in
            .init(bytes: Array("HTTP/1.1 200 OK\r\nContent-Length: \(Gateway.maxBodyBytes + 1)\r\n\r\n{".utf8))
        }
        defer { upstream.stop() }
        let app = Application(router: try Self.server(fixture, upstream: upstream, timeoutSeconds: 300).buildRouter())
        try await app.test(.router) { client in
            // Waiting for the body that never comes would end in the route's 504 after 30 s;
            // a 502 shows the size was refused from the head alone.
            let response = try await client.execute(uri: "/v9/forecast/24", method: .get)
            #expect(response.status == .badGateway)
            #expect(try response.errorCode() == "upstream_failed")
        }
    }

    @Test("HEAD is forwarded as HEAD and answers the upstream's status and headers without a body")
    func head() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let upstream = try ScriptedHTTPServer { head in
            head.hasPrefix("HEAD ")
                ? .init(bytes: Array("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n".utf8))
                : .response(body: Self.forecastBody)
        }
        defer { upstream.stop() }
        let app = Application(router: try Self.server(fixture, upstream: upstream).buildRouter())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/v9/forecast/24", method: .head)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            #expect(response.body.readableBytes == 0)
            let get = try await client.execute(uri: "/v9/forecast/24", method: .get)
            #expect(get.text == Self.forecastBody)
        }
        #expect(upstream.requests.first?.hasPrefix("HEAD /v1/forecast/24 HTTP/1.1") == true)
    }
}
