/// Why an upstream exchange failed. The gateway answers ``timedOut`` with 504 and every
/// other case with 502.
enum UpstreamError: Error, CustomStringConvertible {
    /// No complete answer before the deadline (and no connection attempt had been refused).
    case timedOut
    /// Every connection attempt until the deadline failed; the last error.
    case connectFailed(any Error)
    /// The connection closed before the response was complete.
    case closed(afterResponseStarted: Bool)
    /// The response body is larger than the gateway passes through.
    case tooLarge(limit: Int)
    /// The connection failed, e.g. an unparsable response.
    case connection(any Error)

    var description: String {
        switch self {
        case .timedOut: "no answer before the deadline"
        case .connectFailed(let error): "could not connect: \(error)"
        case .closed(let started): started ? "the connection closed in the middle of the response" : "the connection closed before a response"
        case .tooLarge(let limit): "the response body is larger than \(limit) bytes"
        case .connection(let error): "\(error)"
        }
    }

    /// The upstream could not be reached or dropped the connection before a complete
    /// answer: the request can go to another replica (only GET and HEAD are forwarded, and
    /// nothing of the answer has been passed on yet, since the gateway collects it whole).
    var isConnectionFailure: Bool {
        switch self {
        case .connectFailed, .closed, .connection: true
        case .timedOut, .tooLarge: false
        }
    }
}
