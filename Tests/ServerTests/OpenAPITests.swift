import Foundation
import ForecastServer
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("OpenAPI document")
struct OpenAPITests {
    @Test("the document is OpenAPI 3.1 and lists every route the server serves")
    func coversEveryRoute() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let config = ServerFixture.config(routes: [
            .init(name: "v1", target: .plugin("seasonal-naive")),
            .init(name: "v9", target: .upstream("http://127.0.0.1:9/v1")),
        ])
        let server = try fixture.server(config: config)
        let app = Application(router: server.buildRouter())
        try await app.test(.router) { client in
            let document = try await client.execute(uri: "/openapi.json", method: .get).json()
            #expect(document["openapi"] as? String == "3.1.0")
            let paths = try #require(document["paths"] as? [String: Any])
            for route in server.routes {
                #expect(paths["/\(route.name)"] != nil, "/\(route.name) is not documented")
                #expect(paths["/\(route.name)/forecast/{hours}"] != nil, "/\(route.name)/forecast is not documented")
            }
            for endpoint in ["/", "/healthz", "/readyz", "/metrics", "/openapi.json", "/admin/reload"] {
                #expect(paths[endpoint] != nil, "\(endpoint) is not documented")
            }
        }
    }

    @Test("every documented operation answers with a documented status, and JSON bodies carry the schema's required keys")
    func matchesBehaviour() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let server = try fixture.server()
        let app = Application(router: server.buildRouter())
        try await app.test(.router) { client in
            let document = try await client.execute(uri: "/openapi.json", method: .get).json()
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
            var probes = 0
            for (path, operations) in paths.sorted(by: { $0.key < $1.key }) {
                for (method, operation) in operations {
                    let operation = try #require(operation as? [String: Any])
                    let responses = try #require(operation["responses"] as? [String: Any])
                    // Requests worth making: a good one, and for forecasts a bad one per documented error.
                    var uris = [path.replacingOccurrences(of: "{hours}", with: "24").replacingOccurrences(of: "{city}", with: "portland")]
                    if path.contains("{hours}") {
                        uris += [path.replacingOccurrences(of: "{hours}", with: "0"),
                                 path.replacingOccurrences(of: "{hours}", with: "24") + "?city=Nowhere"]
                    }
                    for uri in uris {
                        let response = try await client.execute(uri: uri, method: method == "post" ? .post : .get)
                        probes += 1
                        let status = String(response.status.code)
                        let documented = try #require(responses[status] as? [String: Any],
                                                      "\(method.uppercased()) \(uri) answered \(status), not documented")
                        guard let content = documented["content"] as? [String: Any] else { continue }
                        let mediaType = try #require(content.keys.first)
                        #expect(response.headers[.contentType]?.hasPrefix(mediaType) == true, "\(uri): content type")
                        if mediaType == "application/json",
                           let ref = ((content[mediaType] as? [String: Any])?["schema"] as? [String: Any])?["$ref"] as? String {
                            let schema = try #require(schemas[String(ref.split(separator: "/").last!)] as? [String: Any])
                            try Self.check(try response.json(), against: schema, schemas: schemas, at: uri)
                        }
                    }
                }
            }
            #expect(probes >= 10)
        }
    }

    @Test("on every documented path, each method the document does not list answers 405 with Allow naming exactly the documented ones (and HEAD with GET)")
    func undocumentedMethodsAre405() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let config = ServerFixture.config(routes: [
            .init(name: "v1", target: .plugin("seasonal-naive")),
            .init(name: "v9", target: .upstream("http://127.0.0.1:9/v1")),
        ])
        let app = Application(router: try fixture.server(config: config).buildRouter())
        try await app.test(.router) { client in
            let document = try await client.execute(uri: "/openapi.json", method: .get).json()
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            let candidates: [HTTPRequest.Method] = [.get, .post, .put, .delete, .patch, .options, .trace, .query]
            var probes = 0
            for (path, operations) in paths.sorted(by: { $0.key < $1.key }) {
                let documented = Set(operations.keys.map { $0.uppercased() })
                let expected = documented.union(documented.contains("GET") ? ["HEAD"] : [])
                let uri = path.replacingOccurrences(of: "{hours}", with: "24")
                for method in candidates where !documented.contains(method.rawValue) {
                    let response = try await client.execute(uri: uri, method: method)
                    probes += 1
                    #expect(response.status == .methodNotAllowed, "\(method) \(uri)")
                    let allow = Set((response.headers[.allow] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
                    #expect(allow == expected, "\(method) \(uri): Allow \(allow), documented \(documented)")
                    #expect(try response.errorCode() == "method_not_allowed", "\(method) \(uri)")
                }
            }
            #expect(probes >= 10 * 7)
        }
    }

    /// Checks required keys and JSON types, recursively through objects and arrays.
    static func check(_ value: Any, against schema: [String: Any], schemas: [String: Any], at location: String) throws {
        if let ref = schema["$ref"] as? String {
            let resolved = try #require(schemas[String(ref.split(separator: "/").last!)] as? [String: Any])
            try check(value, against: resolved, schemas: schemas, at: location)
            return
        }
        let types: [String] = (schema["type"] as? [String]) ?? [(schema["type"] as? String)].compactMap { $0 }
        if value is NSNull {
            #expect(types.contains("null"), "\(location): null where \(types) is required")
            return
        }
        if types.contains("object") {
            let object = try #require(value as? [String: Any], "\(location): not an object")
            for key in schema["required"] as? [String] ?? [] {
                #expect(object[key] != nil, "\(location): missing '\(key)'")
            }
            for (key, sub) in schema["properties"] as? [String: Any] ?? [:] {
                if let child = object[key], let sub = sub as? [String: Any] {
                    try check(child, against: sub, schemas: schemas, at: "\(location).\(key)")
                }
            }
        } else if types.contains("array") {
            let array = try #require(value as? [Any], "\(location): not an array")
            if let items = schema["items"] as? [String: Any] {
                for (index, item) in array.enumerated() { try check(item, against: items, schemas: schemas, at: "\(location)[\(index)]") }
            }
        } else if types.contains("string") {
            #expect(value is String, "\(location): not a string")
            if schema["format"] as? String == "date-time", let text = value as? String {
                #expect(ISO8601DateFormatter().date(from: text) != nil, "\(location): '\(text)' is not a date-time")
            }
        } else if types.contains("number") || types.contains("integer") {
            #expect(value is NSNumber, "\(location): not a number")
        }
    }
}
