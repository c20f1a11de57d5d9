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
                 retriesRefused: Bool = true, on preferred: (any EventLoop)?) async throws -> UpstreamResponse {
        let deadline = NIODeadline.now() + timeout
        let (loop, pool) = self.loop(preferring: preferred)
        return try await withCheckedThrowingContinuation { continuation in
            loop.execute {
                pool.value.execute(head, to: target, deadline: deadline, limit: limit, retriesRefused: retriesRefused) {
                    continuation.resume(with: $0)
                }
            }
        }
    }

    /// Sends a request of a replicated route to one of `replicas` (see
    /// ``UpstreamPool/execute(method:remainder:query:accept:replicas:deadline:limit:completion:)``)
    /// on `preferred` when it is one of the group's; the result and the base URL of the
    /// replica that gave it.
    func execute(method: HTTPMethod, remainder: String, query: String?, accept: String?, replicas: UpstreamReplicaSet,
                 timeout: TimeAmount, limit: Int,
                 on preferred: (any EventLoop)?) async -> (Result<UpstreamResponse, UpstreamError>, String) {
        let deadline = NIODeadline.now() + timeout
        let (loop, pool) = self.loop(preferring: preferred)
        return await withCheckedContinuation { continuation in
            loop.execute {
                pool.value.execute(method: method, remainder: remainder, query: query, accept: accept, replicas: replicas,
                                   deadline: deadline, limit: limit) { result, base in
                    continuation.resume(returning: (result, base))
                }
            }
        }
    }

    /// `preferred` and its pool when it is one of the group's loops, else the group's next loop.
    private func loop(preferring preferred: (any EventLoop)?) -> (any EventLoop, NIOLoopBoundBox<UpstreamPool>) {
        if let preferred, let pool = pools[ObjectIdentifier(preferred)] { return (preferred, pool) }
        let loop = group.next()
        return (loop, pools[ObjectIdentifier(loop)]!)
    }

    /// The pool of `loop`, when it is one of the group's. Call on `loop`.
    func pool(on loop: any EventLoop) -> UpstreamPool? {
        pools[ObjectIdentifier(loop)]?.value
    }
}
