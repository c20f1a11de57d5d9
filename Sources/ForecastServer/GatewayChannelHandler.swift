import Hummingbird
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Answers `GET` requests for upstream routes in the server's channel pipeline, on the
/// connection's event loop, before they reach Hummingbird's request task.
///
/// A proxied request needs no router, middleware or Swift task: the request head is
/// turned into the upstream request, ``UpstreamPool`` (the pool of this loop) sends it
/// and collects the answer, and the response is written back, all on one thread. Every
/// other request (other paths, other methods, HEAD) passes on to Hummingbird unchanged.
///
/// Responses leave in the order the requests came, as HTTP/1.1 requires: while a proxied
/// request is in flight, or a request passed to Hummingbird is unanswered when a proxied
/// one arrives, later request parts wait here, and no more are read from the socket.
/// A graceful shutdown (`ChannelShouldQuiesceEvent`) that finds a proxied request in
/// flight is held back until its response is written, so the connection closes after it.
final class GatewayChannelHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// An upstream route this handler answers.
    struct Route: Sendable {
        /// The route's name, the first path segment.
        let name: String
        /// The configured upstream URL.
        let base: String
        /// `base`, parsed.
        let target: UpstreamTarget
        /// The route's timeout.
        let timeoutSeconds: Double
        /// The upstreams of a replicated route (then `base` and `target` are its first).
        var replicas: UpstreamReplicaSet? = nil
    }

    private let routes: [Route]
    private let server: ForecastServer
    /// Requests passed on to Hummingbird whose response has not been written yet.
    private var unanswered = 0
    /// A proxied request is in flight.
    private var proxying = false
    /// The rest of the current request goes to Hummingbird (true) or is dropped (false,
    /// the body of a proxied GET).
    private var passing = true
    /// Request parts that arrived while earlier responses were outstanding.
    private var waiting = CircularBuffer<HTTPRequestPart>()
    /// Hummingbird asked for a read while parts were held back.
    private var readRequested = false
    /// The server is shutting down: no new proxied request starts.
    private var quiescing = false
    /// The quiesce event, held while a proxied request is in flight.
    private var heldQuiesce = false
    /// The proxied request asked for `Connection: close`.
    private var closeAfterResponse = false

    /// The handler's place in the pipeline, while it is in one.
    private var context: ChannelHandlerContext?

    /// A handler answering `routes` for `server`.
    init(routes: [Route], server: ForecastServer) {
        self.routes = routes
        self.server = server
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if waiting.isEmpty && handle(part, context: context) { return }
        waiting.append(part)
    }

    /// Passes `part` on, drops it, or starts proxying it; false when it has to wait.
    private func handle(_ part: HTTPRequestPart, context: ChannelHandlerContext) -> Bool {
        switch part {
        case .head(let head):
            if !quiescing, head.method == .get, let (route, remainder, query) = match(head),
               let pool = server.gateway.upstreams.pool(on: context.eventLoop) {
                guard unanswered == 0, !proxying else { return false }
                passing = false
                proxy(head, route: route, remainder: remainder, query: query, pool: pool)
                return true
            }
            guard !proxying else { return false }
            passing = true
            unanswered += 1
        case .body, .end:
            if !passing { return true }  // a proxied GET's body: nothing reads it
        }
        context.fireChannelRead(wrapInboundOut(part))
        return true
    }

    /// The upstream route of `head`'s path, the path after the route and the query.
    private func match(_ head: HTTPRequest) -> (Route, String, String?)? {
        guard let target = head.path else { return nil }
        let path: Substring
        let query: String?
        if let mark = target.firstIndex(of: "?") {
            path = target[..<mark]
            query = String(target[target.index(after: mark)...])
        } else {
            path = target[...]
            query = nil
        }
        let segment = path.drop { $0 == "/" }.prefix { $0 != "/" }
        guard !segment.isEmpty, let route = routes.first(where: { $0.name == segment }) else { return nil }
        return (route, Gateway.remainder(of: String(path), route: route.name), query)
    }

    private func proxy(_ head: HTTPRequest, route: Route, remainder: String, query: String?, pool: UpstreamPool) {
        proxying = true
        closeAfterResponse = head.headerFields[.connection]?.lowercased() == "close"
        let start = ContinuousClock.now
        let deadline = NIODeadline.now() + .nanoseconds(Int64(route.timeoutSeconds * 1_000_000_000))
        if let replicas = route.replicas {
            pool.execute(method: .GET, remainder: remainder, query: query, accept: head.headerFields[.accept], replicas: replicas,
                         deadline: deadline, limit: Gateway.maxBodyBytes) { result, base in
                let (status, fields, body) = Gateway.answer(result, route: route.name, base: base,
                                                            timeoutSeconds: route.timeoutSeconds)
                self.respond(status: status, fields: fields, body: body)
                self.server.metrics.record(route: route.name, method: "GET", status: status.code, elapsed: ContinuousClock.now - start)
            }
            return
        }
        let upstreamHead = route.target.requestHead(method: .GET, remainder: remainder, query: query,
                                                    accept: head.headerFields[.accept], route: route.name)
        pool.execute(upstreamHead, to: route.target, deadline: deadline, limit: Gateway.maxBodyBytes) { result in
            let (status, fields, body) = Gateway.answer(result, route: route.name, base: route.base,
                                                        timeoutSeconds: route.timeoutSeconds)
            self.respond(status: status, fields: fields, body: body)
            let elapsed = ContinuousClock.now - start
            self.server.metrics.record(route: route.name, method: "GET", status: status.code, elapsed: elapsed)
        }
    }

    /// Writes the proxied request's response, then lets the requests that waited go on.
    private func respond(status: HTTPResponse.Status, fields: HTTPFields, body: ByteBuffer) {
        proxying = false
        guard let context else { return }  // the connection closed meanwhile
        var fields = fields
        fields[.contentLength] = String(body.readableBytes)
        fields[.server] = "forecast"
        if closeAfterResponse { fields[.connection] = "close" }
        context.write(wrapOutboundOut(.head(HTTPResponse(status: status, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        if closeAfterResponse {
            context.close(promise: nil)
            return
        }
        if heldQuiesce {
            heldQuiesce = false
            context.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
            return
        }
        resume(context: context)
    }

    /// Handles the parts that waited, in order, until one has to wait again; then reads
    /// on if Hummingbird had asked to.
    private func resume(context: ChannelHandlerContext) {
        var released = false
        defer {
            // Outside a socket read, what was passed on is delivered only at a read-complete.
            if released { context.fireChannelReadComplete() }
        }
        while let part = waiting.first {
            guard handle(part, context: context) else { return }
            waiting.removeFirst()
            released = true
        }
        if readRequested && !proxying {
            readRequested = false
            context.read()
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        context.write(data, promise: promise)
        if case .end = unwrapOutboundIn(data), unanswered > 0 {
            unanswered -= 1
            if unanswered == 0 { resume(context: context) }
        }
    }

    func read(context: ChannelHandlerContext) {
        if proxying || !waiting.isEmpty {
            readRequested = true
        } else {
            context.read()
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            quiescing = true
            if proxying {
                heldQuiesce = true
                return
            }
        }
        context.fireUserInboundEventTriggered(event)
    }
}

@available(*, unavailable)
extension GatewayChannelHandler: Sendable {}
