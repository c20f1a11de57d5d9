import Hummingbird
import NIOCore

/// The request context of the forecast server: the core context plus the peer's address,
/// which `POST /admin/reload` checks (loopback peers only), and the connection's event
/// loop, on which the gateway runs the upstream request.
public struct ServerRequestContext: RequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// The connected peer, or nil when there is no socket (router tests).
    public let remoteAddress: SocketAddress?
    /// The event loop of the connection the request arrived on.
    public let eventLoop: any EventLoop

    /// Creates the context for a request arriving on `source.channel`.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        eventLoop = source.channel.eventLoop
    }

    /// Whether the peer is on this machine (127.0.0.0/8 or ::1, or IPv4-mapped loopback).
    public var isLoopbackPeer: Bool {
        guard let address = remoteAddress else { return false }
        switch address {
        case .v4(let v4):
            return UInt32(bigEndian: v4.address.sin_addr.s_addr) >> 24 == 127
        case .v6:
            guard let ip = address.ipAddress else { return false }
            return ip == "::1" || ip.hasPrefix("::ffff:127.")
        case .unixDomainSocket:
            return true
        }
    }
}
