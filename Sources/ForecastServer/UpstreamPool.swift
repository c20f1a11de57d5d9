import NIOCore
import NIOHTTP1
import NIOPosix

/// Keep-alive connections to upstreams for one event loop, and the exchanges that use them.
///
/// Everything here runs on ``eventLoop``: a request forwarded from a connection on that
/// loop is written, answered and collected on the same thread, with no locks. A connection
/// carries one exchange at a time; once its response is complete it goes back to the idle
/// list of its upstream (most recently used first), up to ``maxIdlePerUpstream``.
final class UpstreamPool {
    /// An open connection and its handler.
    struct Connection {
        let channel: any Channel
        let handler: UpstreamConnectionHandler
    }

    /// The loop every connection and exchange of this pool lives on.
    let eventLoop: any EventLoop
    /// Idle connections kept per upstream; more are closed when their exchange ends.
    let maxIdlePerUpstream: Int
    private var idle: [UpstreamTarget: [Connection]] = [:]

    /// A pool on `eventLoop`.
    init(eventLoop: any EventLoop, maxIdlePerUpstream: Int) {
        self.eventLoop = eventLoop
        self.maxIdlePerUpstream = maxIdlePerUpstream
    }

    /// Closes the idle connections when the pool goes (a server that is released, in tests).
    deinit {
        for connections in idle.values {
            for connection in connections { connection.channel.close(promise: nil) }
        }
    }

    /// Sends `head` to `target` and collects the answer, by `deadline`.
    ///
    /// An idle connection is reused when there is one; if it turns out to have been closed
    /// by the upstream before answering, the request is sent once more on a new connection
    /// (only GET and HEAD are forwarded, so repeating is safe). A refused connection is
    /// retried with a growing pause until the deadline, then reported with its error.
    ///
    /// With `retriesRefused` false a refused connection is reported at once.
    ///
    /// `completion` is called once, on the loop.
    func execute(_ head: HTTPRequestHead, to target: UpstreamTarget, deadline: NIODeadline, limit: Int,
                 retriesRefused: Bool = true, completion: @escaping (Result<UpstreamResponse, UpstreamError>) -> Void) {
        UpstreamExchange(pool: self, target: target, head: head, deadline: deadline, limit: limit,
                         retriesRefused: retriesRefused, completion: completion).start()
    }

    /// An idle, still open connection to `target`, removed from the idle list.
    func takeIdle(_ target: UpstreamTarget) -> Connection? {
        while let connection = idle[target]?.popLast() {
            if connection.channel.isActive { return connection }
        }
        return nil
    }

    /// Returns `connection` to the idle list after a complete exchange, or closes it.
    func release(_ connection: Connection, to target: UpstreamTarget, keepAlive: Bool) {
        guard keepAlive, connection.channel.isActive, idle[target, default: []].count < maxIdlePerUpstream else {
            connection.channel.close(promise: nil)
            return
        }
        idle[target, default: []].append(connection)
    }

    /// Opens a new connection to `target`, giving up at `deadline`.
    func connect(_ target: UpstreamTarget, deadline: NIODeadline) -> EventLoopFuture<Connection> {
        let remaining = deadline - .now()
        let bootstrap = ClientBootstrap(group: eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(max(remaining, .milliseconds(1)))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(UpstreamConnectionHandler())
                }
            }
        let connected: EventLoopFuture<any Channel>
        if let address = try? SocketAddress(ipAddress: target.host, port: target.port) {
            connected = bootstrap.connect(to: address)
        } else {
            connected = bootstrap.connect(host: target.host, port: target.port)
        }
        return connected.flatMapThrowing { channel in
            Connection(channel: channel, handler: try channel.pipeline.syncOperations.handler(type: UpstreamConnectionHandler.self))
        }
    }
}

@available(*, unavailable)
extension UpstreamPool: Sendable {}
