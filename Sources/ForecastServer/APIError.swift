import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// An error answered as JSON: `{"error": {"code": "...", "message": "..."}}`.
///
/// Every failure the server reports goes through this type, so clients see one shape
/// for 400 (bad input), 404 (unknown route or city), 502/504 (upstream) and 503 (no model).
public struct APIError: Error, Sendable, Equatable, HTTPResponseError {
    /// The HTTP status.
    public var status: HTTPResponse.Status
    /// A stable machine-readable code, e.g. `bad_hours`.
    public var code: String
    /// A sentence a person can act on.
    public var message: String

    /// Creates an error.
    public init(_ status: HTTPResponse.Status, code: String, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    /// The JSON body.
    public var body: String {
        "{\"error\":{\"code\":\(JSONText.string(code)),\"message\":\(JSONText.string(message))}}"
    }

    /// The error as a response.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        Self.jsonResponse(status: status, body: body)
    }

    /// A JSON response with `body`.
    static func jsonResponse(status: HTTPResponse.Status, body: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
