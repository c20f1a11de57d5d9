import NIOCore
import NIOHTTP1

extension UpstreamPool {
    /// Sends a request of a replicated route to one of `replicas` and collects the answer,
    /// by `deadline`; `completion` gets the result and the base URL of the replica that
    /// gave it, once, on the loop.
    ///
    /// The first replica (``UpstreamReplicaSet/choose(excluding:)``) gets one connection
    /// attempt. A connection error there (refused, reset, closed before the answer was
    /// complete) takes it out of the pool and sends the request once more, to another
    /// replica, which is tried like a single upstream (a refused connection again until the
    /// deadline). Timeouts and oversized answers are not retried.
    func execute(method: HTTPMethod, remainder: String, query: String?, accept: String?, replicas: UpstreamReplicaSet,
                 deadline: NIODeadline, limit: Int,
                 completion: @escaping (Result<UpstreamResponse, UpstreamError>, String) -> Void) {
        attempt(on: replicas.choose(), isRetry: false, method: method, remainder: remainder, query: query, accept: accept,
                replicas: replicas, deadline: deadline, limit: limit, completion: completion)
    }

    private func attempt(on replica: UpstreamReplica, isRetry: Bool, method: HTTPMethod, remainder: String, query: String?,
                         accept: String?, replicas: UpstreamReplicaSet, deadline: NIODeadline, limit: Int,
                         completion: @escaping (Result<UpstreamResponse, UpstreamError>, String) -> Void) {
        let head = replica.target.requestHead(method: method, remainder: remainder, query: query, accept: accept,
                                              route: replicas.route)
        replica.began()
        execute(head, to: replica.target, deadline: deadline, limit: limit, retriesRefused: isRetry) { result in
            guard case .failure(let error) = result else {
                replica.ended(failed: false)
                completion(result, replica.base)
                return
            }
            replica.ended(failed: true)
            guard error.isConnectionFailure else {
                completion(result, replica.base)
                return
            }
            replicas.takeOut(replica, reason: error.description)
            let other = replicas.choose(excluding: replica)
            guard !isRetry, other !== replica, NIODeadline.now() < deadline else {
                completion(result, replica.base)
                return
            }
            replica.retried.add(1, ordering: .relaxed)
            self.attempt(on: other, isRetry: true, method: method, remainder: remainder, query: query, accept: accept,
                         replicas: replicas, deadline: deadline, limit: limit, completion: completion)
        }
    }
}
