import Foundation
import Testing
@testable import ForecastServer

@Suite("API errors")
struct APIErrorTests {
    @Test("an error body is the documented JSON shape, with escapes")
    func errorBodyShape() throws {
        let error = APIError(.badRequest, code: "bad_city", message: "no city \"X\"\n")
        let object = try JSONSerialization.jsonObject(with: Data(error.body.utf8)) as? [String: Any]
        let inner = object?["error"] as? [String: Any]
        #expect(inner?["code"] as? String == "bad_city")
        #expect(inner?["message"] as? String == "no city \"X\"\n")
    }
}
