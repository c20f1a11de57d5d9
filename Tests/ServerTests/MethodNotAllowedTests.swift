import ForecastConfiguration
import ForecastServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("405 for methods a known path does not serve")
struct MethodNotAllowedTests {
    /// An in-process route and an upstream route (never reached: every request here is refused before forwarding).
    static let routes: [ForecastConfig.Route] = [
        .init(name: "v1", target: .plugin("seasonal-naive")),
        .init(name: "v9", target: .upstream("http://127.0.0.1:9/v1")),
    ]

    @Test("a known path asked with another method answers 405, the JSON error and Allow with the methods it serves",
          arguments: [
              ("TRACE", "/v1/forecast/72", "GET, HEAD"), ("PUT", "/v1/forecast/72", "GET, HEAD"),
              ("DELETE", "/v1", "GET, HEAD"), ("POST", "/healthz", "GET, HEAD"), ("PUT", "/readyz", "GET, HEAD"),
              ("DELETE", "/metrics", "GET, HEAD"), ("PATCH", "/openapi.json", "GET, HEAD"), ("PUT", "/", "GET, HEAD"),
              ("OPTIONS", "/healthz", "GET, HEAD"), ("QUERY", "/v1/forecast/24", "GET, HEAD"),
              ("GET", "/admin/reload", "POST"), ("DELETE", "/admin/reload", "POST"),
              ("PUT", "/v9", "GET, HEAD"), ("POST", "/v9/forecast/24", "GET, HEAD"), ("DELETE", "/v9/any/depth/at/all", "GET, HEAD"),
              ("PUT", "/healthz/", "GET, HEAD"),
          ])
    func undeclaredMethod(method: String, path: String, allow: String) async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let app = Application(router: try fixture.server(config: ServerFixture.config(routes: Self.routes)).buildRouter())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: path, method: try #require(HTTPRequest.Method(method)))
            #expect(response.status == .methodNotAllowed)
            #expect(response.headers[.allow] == allow)
            #expect(response.headers[.contentType] == "application/json; charset=utf-8")
            #expect(try response.errorCode() == "method_not_allowed")
            let message = try #require((try response.json()["error"] as? [String: Any])?["message"] as? String)
            #expect(message.contains(method) && message.contains(allow))
        }
    }

    @Test("a path no endpoint has stays 404 not_found whatever the method",
          arguments: [("PUT", "/nothing"), ("TRACE", "/v7/forecast/24"), ("DELETE", "/v1/forecast/24/more"),
                      ("GET", "/v1/forecasts"), ("POST", "/admin"), ("PUT", "/healthz/x")])
    func unknownPath(method: String, path: String) async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let app = Application(router: try fixture.server(config: ServerFixture.config(routes: Self.routes)).buildRouter())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: path, method: try #require(HTTPRequest.Method(method)))
            #expect(response.status == .notFound)
            #expect(response.headers[.allow] == nil)
            #expect(try response.errorCode() == "not_found")
        }
    }

    @Test("HEAD, which Allow names, answers what GET answers without the body")
    func headAnswersLikeGet() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let app = Application(router: try fixture.server().buildRouter())
        try await app.test(.router) { client in
            for path in ["/healthz", "/v1/forecast/24", "/v1/forecast/0"] {
                let get = try await client.execute(uri: path, method: .get)
                let head = try await client.execute(uri: path, method: .head)
                #expect(head.status == get.status, "\(path)")
                #expect(head.headers[.contentType] == get.headers[.contentType], "\(path)")
                #expect(head.headers[.contentLength] == String(get.body.readableBytes), "\(path)")
                #expect(head.body.readableBytes == 0, "\(path)")
            }
        }
    }

    @Test("a 405 is counted in /metrics under its route; a method that is no standard one is labelled other")
    func countedInMetrics() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let app = Application(router: try fixture.server().buildRouter())
        try await app.test(.router) { client in
            _ = try await client.execute(uri: "/v1/forecast/24", method: .put)
            for invented in ["BREW", "WHEN", "XYZZY"] {
                let response = try await client.execute(uri: "/v1/forecast/24", method: try #require(HTTPRequest.Method(invented)))
                #expect(response.status == .methodNotAllowed)
            }
            let lines = try await client.execute(uri: "/metrics", method: .get).text.split(separator: "\n").filter {
                $0.hasPrefix("forecast_http_requests_total{") && $0.contains("route=\"v1\"") && $0.contains("status=\"405\"")
            }
            #expect(lines.contains { $0.contains("method=\"PUT\"") && $0.hasSuffix(" 1") }, "\(lines)")
            #expect(lines.contains { $0.contains("method=\"other\"") && $0.hasSuffix(" 3") }, "\(lines)")
            #expect(!lines.contains { $0.contains("BREW") || $0.contains("XYZZY") }, "\(lines)")
        }
    }
}
