import NIOCore
import NIOHTTP1

/// What an upstream answered: the status, the headers the gateway passes on, and the whole body.
struct UpstreamResponse: Sendable {
    /// The upstream's status.
    var status: HTTPResponseStatus
    /// Its `Content-Type`, if it sent one.
    var contentType: String?
    /// Its `Cache-Control`, if it sent one.
    var cacheControl: String?
    /// Its `Date`, if it sent one.
    var date: String? = nil
    /// The body, as received.
    var body: ByteBuffer
}
