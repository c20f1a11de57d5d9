import Foundation
import Testing
import TestSupport

/// What scripts/schemathesis found, as regression tests against a real `forecast serve`.
@Suite("schemathesis findings", .serialized)
struct SchemathesisFindingTests {
    /// A served host with seasonal-naive models for San Francisco, in `scratch`.
    static func host(_ scratch: Scratch) throws -> ServedProcess {
        let common = try ForecastCommand.prepareTrainedWorkdir(scratch.path, hours: 800, cities: ["San Francisco"])
        return try ServedProcess(common, in: scratch.path)
    }

    @Test("a query the OpenAPI document allows is not refused: city= (empty) is documented as invalid or accepted")
    func emptyCityMatchesDocument() throws {
        let scratch = try Scratch("st-city")
        defer { scratch.remove() }
        let server = try Self.host(scratch)
        defer { _ = server.stop() }
        let response = try server.request("/seasonal-naive/forecast/24?city=")
        let document = try server.request("/openapi.json").body
        let object = try JSONSerialization.jsonObject(with: Data(document.utf8)) as? [String: Any]
        let paths = object?["paths"] as? [String: Any]
        let operation = (paths?["/seasonal-naive/forecast/{hours}"] as? [String: Any])?["get"] as? [String: Any]
        let parameters = operation?["parameters"] as? [[String: Any]] ?? []
        let city = parameters.first { $0["name"] as? String == "city" }?["schema"] as? [String: Any]
        let documentedNonEmpty = (city?["minLength"] as? Int ?? 0) >= 1
        #expect(response.status == 200 || documentedNonEmpty, "city= -> \(response.status), schema \(String(describing: city))")
    }

    @Test("a method the document does not list on a known path is 405 method_not_allowed, not 404; an unknown path stays 404")
    func undeclaredMethodIs405() throws {
        let scratch = try Scratch("st-405")
        defer { scratch.remove() }
        let server = try Self.host(scratch)
        defer { _ = server.stop() }
        for (method, path) in [("PUT", "/healthz"), ("DELETE", "/seasonal-naive/forecast/24"), ("POST", "/readyz"),
                               ("GET", "/admin/reload"), ("TRACE", "/seasonal-naive/forecast/72"), ("PUT", "/openapi.json"),
                               ("DELETE", "/metrics"), ("PUT", "/")] {
            let response = try server.request(path, method: method)
            #expect(response.status == 405, "\(method) \(path)")
            let error = (try? JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any])?["error"] as? [String: Any]
            #expect(error?["code"] as? String == "method_not_allowed", "\(method) \(path): \(response.body)")
        }
        #expect(try server.request("/no/such/path", method: "PUT").status == 404)
    }
}
