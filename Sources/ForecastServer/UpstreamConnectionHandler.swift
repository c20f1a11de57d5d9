#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import NIOCore
import NIOHTTP1

/// The last handler of a connection to an upstream: sends one request at a time and
/// collects its response, which it hands back with whether the connection may be reused.
///
/// Used on the connection's event loop only, like every channel handler.
final class UpstreamConnectionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    /// A completed exchange: the response, and whether the connection stays open for another.
    struct Completed {
        /// What the upstream answered.
        var response: UpstreamResponse
        /// The response allows another request on the connection.
        var keepAlive: Bool
    }

    private struct Exchange {
        let completion: (Result<Completed, UpstreamError>) -> Void
        let limit: Int
        var response: UpstreamResponse?
        var keepAlive = false
    }

    private var context: ChannelHandlerContext?
    private var exchange: Exchange?

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        fail(.closed(afterResponseStarted: exchange?.response != nil))
    }

    /// Sends `head` (no body) and calls `completion` once, with the response or why there
    /// is none, refusing bodies larger than `limit` bytes. A connection that is busy or
    /// closed fails at once.
    func send(_ head: HTTPRequestHead, limit: Int, completion: @escaping (Result<Completed, UpstreamError>) -> Void) {
        guard let context, context.channel.isActive, exchange == nil else {
            completion(.failure(.closed(afterResponseStarted: false)))
            return
        }
        exchange = Exchange(completion: completion, limit: limit)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    /// Fails the exchange in progress, if any, with `error` and closes the connection (its
    /// answer can no longer be told apart from the next one's).
    func abandon(_ error: UpstreamError) {
        guard exchange != nil else { return }
        fail(error)
        context?.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard var exchange else {
            // An answer nobody asked for: the connection is out of step.
            context.close(promise: nil)
            return
        }
        switch unwrapInboundIn(data) {
        case .head(let head):
            if let length = head.headers.first(name: "content-length").flatMap(Int.init), length > exchange.limit {
                abandon(.tooLarge(limit: exchange.limit))
                return
            }
            exchange.response = UpstreamResponse(status: head.status, contentType: head.headers.first(name: "content-type"),
                                                 cacheControl: head.headers.first(name: "cache-control"),
                                                 date: head.headers.first(name: "date"), body: ByteBuffer())
            exchange.keepAlive = head.isKeepAlive
            self.exchange = exchange
        case .body(var part):
            guard var response = exchange.response else { return }
            guard response.body.readableBytes + part.readableBytes <= exchange.limit else {
                abandon(.tooLarge(limit: exchange.limit))
                return
            }
            if response.body.readableBytes == 0 {
                response.body = part  // the usual case, one part: kept without a copy
            } else {
                response.body.writeBuffer(&part)
            }
            exchange.response = response
            self.exchange = exchange
        case .end:
            self.exchange = nil
            guard let response = exchange.response else {
                context.close(promise: nil)
                exchange.completion(.failure(.closed(afterResponseStarted: false)))
                return
            }
            if !exchange.keepAlive { context.close(promise: nil) }
            exchange.completion(.success(Completed(response: response, keepAlive: exchange.keepAlive)))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(.closed(afterResponseStarted: exchange?.response != nil))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A reset or a broken pipe is the upstream having closed the connection: said so,
        // because on a kept-alive connection it means the request met a close already on
        // its way (most often on a busy machine) and is sent again on a new connection.
        if let failure = error as? IOError, failure.errnoCode == ECONNRESET || failure.errnoCode == EPIPE {
            fail(.closed(afterResponseStarted: exchange?.response != nil))
        } else {
            fail(.connection(error))
        }
        context.close(promise: nil)
    }

    private func fail(_ error: UpstreamError) {
        guard let exchange else { return }
        self.exchange = nil
        exchange.completion(.failure(error))
    }
}

@available(*, unavailable)
extension UpstreamConnectionHandler: Sendable {}
