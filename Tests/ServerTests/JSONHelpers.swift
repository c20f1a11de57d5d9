import Foundation
import HummingbirdTesting
import Testing

extension TestResponse {
    /// The body parsed as a JSON object (fails the test when it is not one).
    func json(sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(buffer: body))
        return try #require(object as? [String: Any], sourceLocation: sourceLocation)
    }

    /// The body as text.
    var text: String { String(buffer: body) }

    /// The `error.code` of a JSON error body.
    func errorCode() throws -> String? {
        (try json()["error"] as? [String: Any])?["code"] as? String
    }
}
