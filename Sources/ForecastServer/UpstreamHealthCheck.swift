import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// Asks every replica of every replicated route for its `/readyz` once a second, until
/// graceful shutdown: a replica that does not answer 200 within the check's timeout leaves
/// its route's pool, and one that answers 200 again comes back.
///
/// `/readyz` is the replica host's own readiness (200 when every route it serves in-process
/// has models), asked at the root of the replica's host and port whatever the base path.
struct UpstreamHealthCheck: Service {
    /// The replicated routes.
    let sets: [UpstreamReplicaSet]
    /// The gateway's connections (a check is one keep-alive request like any other).
    let client: UpstreamClient
    /// The pause between two rounds of checks.
    let interval: Duration

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await withTaskGroup(of: Void.self) { group in
                    for set in sets {
                        for replica in set.replicas {
                            group.addTask { await check(replica, of: set) }
                        }
                    }
                }
                do {
                    try await Task.sleep(for: interval)
                } catch {
                    return  // cancelled: the server is shutting down
                }
            }
        }
    }

    /// One check of `replica`: back in the pool on a 200, out on anything else.
    func check(_ replica: UpstreamReplica, of set: UpstreamReplicaSet) async {
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/readyz")
        head.headers.add(name: "host", value: replica.target.hostHeader)
        let seconds = min(set.timeoutSeconds, 3)
        do {
            let response = try await client.execute(head, to: replica.target, timeout: .nanoseconds(Int64(seconds * 1e9)),
                                                    limit: 1 << 20, retriesRefused: false, on: nil)
            if response.status == .ok {
                set.putBack(replica)
            } else {
                set.takeOut(replica, reason: "/readyz answered \(response.status.code)")
            }
        } catch {
            set.takeOut(replica, reason: "/readyz: \(error)")
        }
    }
}
