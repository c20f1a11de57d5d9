import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// An error answered as JSON: `{"error": {"code": "...", "message": "..."}}`.
///
/// Every failure the server reports goes through this type, so clients see one shape
/// for 400 (bad input), 404 (unknown route or city), 405 (method not served on the path),
/// 502/504 (upstream) and 503 (no model).
public struct APIError: Error, Sendable, Equatable, HTTPResponseError {
    /// The HTTP status.
    public var status: HTTPResponse.Status
    /// A stable machine-readable code, e.g. `bad_hours`.
    public var code: String
    /// A sentence a person can act on.
    public var message: String
    /// Headers the answer carries besides its content type, e.g. `Allow` on a 405.
    public var headers: HTTPFields

    /// Creates an error.
    public init(_ status: HTTPResponse.Status, code: String, message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    /// 405 `method_not_allowed` for `method` on `path`, whose endpoints accept `allow` (the `Allow` header's value).
    public static func methodNotAllowed(method: String, path: String, allow: String) -> APIError {
        APIError(.methodNotAllowed, code: "method_not_allowed",
                 message: "\(path) does not accept \(method); it accepts \(allow)", headers: [.allow: allow])
    }

    /// The JSON body.
    public var body: String {
        "{\"error\":{\"code\":\(JSONText.string(code)),\"message\":\(JSONText.string(message))}}"
    }

    /// The error as a response.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        response
    }

    /// The error as a response: the status, the JSON body and ``headers``.
    public var response: Response {
        Self.jsonResponse(status: status, body: body, headers: headers)
    }

    /// A JSON response with `body`, plus `headers`.
    static func jsonResponse(status: HTTPResponse.Status, body: String, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
