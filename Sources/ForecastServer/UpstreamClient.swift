import NIOCore
import NIOHTTP1

/// HTTP/1.1 to plain-HTTP upstreams over keep-alive connections, with one ``UpstreamPool``
/// per event loop of the server's group.
///
/// A request is forwarded by the pool of the loop its own connection lives on, so the
/// upstream connection, its response and the awaiting handler's loop are the same thread.
final class UpstreamClient: Sendable {
    private let pools: [ObjectIdentifier: NIOLoopBoundBox<UpstreamPool>]
    private let group: any EventLoopGroup

    /// A client with a pool on each loop of `group`, keeping up to `maxIdlePerUpstream`
    /// idle connections per upstream and loop.
    init(group: any EventLoopGroup, maxIdlePerUpstream: Int = 64) {
        self.group = group
        var pools: [ObjectIdentifier: NIOLoopBoundBox<UpstreamPool>] = [:]
        for loop in group.makeIterator() {
            pools[ObjectIdentifier(loop)] = .makeBoxSendingValue(
                UpstreamPool(eventLoop: loop, maxIdlePerUpstream: maxIdlePerUpstream), eventLoop: loop)
        }
        self.pools = pools
    }

    /// Sends `head` to `target` on `preferred` (the request's loop) when it is one of the
    /// group's, else on any loop, and returns the whole response.
    ///
    /// - Throws: ``UpstreamError``.
    func execute(_ head: HTTPRequestHead, to target: UpstreamTarget, timeout: TimeAmount, limit: Int,
                 on preferred: (any EventLoop)?) async throws -> UpstreamResponse {
        let deadline = NIODeadline.now() + timeout
        let loop: any EventLoop
        if let preferred, pools[ObjectIdentifier(preferred)] != nil {
            loop = preferred
        } else {
            loop = group.next()
        }
        let pool = pools[ObjectIdentifier(loop)]!
        return try await withCheckedThrowingContinuation { continuation in
            loop.execute {
                pool.value.execute(head, to: target, deadline: deadline, limit: limit) { continuation.resume(with: $0) }
            }
        }
    }

    /// The pool of `loop`, when it is one of the group's. Call on `loop`.
    func pool(on loop: any EventLoop) -> UpstreamPool? {
        pools[ObjectIdentifier(loop)]?.value
    }
}
