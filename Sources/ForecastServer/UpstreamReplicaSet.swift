import Logging
import Synchronization

/// The upstreams of one replicated route and how a request picks one.
///
/// A request goes to the replica in the pool with the fewest outstanding requests (over
/// every event loop), ties taken in turn so that an idle route still spreads its requests
/// round robin. A replica leaves the pool when a request to it fails on a connection error
/// or its `/readyz` does not answer 200 (``UpstreamHealthCheck``), and comes back when
/// `/readyz` answers 200 again. When none is in the pool, every replica is a candidate: a
/// stale view of health must not turn into refusing every request.
final class UpstreamReplicaSet: Sendable {
    /// The route's name.
    let route: String
    /// The replicas, in the order of the configuration.
    let replicas: [UpstreamReplica]
    /// The route's timeout, which bounds a health check too.
    let timeoutSeconds: Double
    private let turn = Atomic<Int>(0)
    private let logger: Logger

    /// The set of `bases` for `route`; nil unless every base is a plain-http URL.
    init?(route: String, bases: [String], timeoutSeconds: Double, logger: Logger) {
        var replicas: [UpstreamReplica] = []
        for base in bases {
            guard let target = UpstreamTarget(base: base) else { return nil }
            replicas.append(UpstreamReplica(base: base, target: target))
        }
        guard !replicas.isEmpty else { return nil }
        self.route = route
        self.replicas = replicas
        self.timeoutSeconds = timeoutSeconds
        self.logger = logger
    }

    /// The replica the next request goes to, other than `excluded` when there is another.
    func choose(excluding excluded: UpstreamReplica? = nil) -> UpstreamReplica {
        let count = replicas.count
        let turned = turn.wrappingAdd(1, ordering: .relaxed).newValue
        let start = (turned % count + count) % count
        var best: UpstreamReplica?
        var bestLoad = Int.max
        var bestHealthy = false
        for step in 0..<count {
            let replica = replicas[(start + step) % count]
            if replica === excluded && count > 1 { continue }
            let healthy = replica.healthy.load(ordering: .relaxed)
            let load = replica.outstanding.load(ordering: .relaxed)
            // A healthy replica beats any unhealthy one; then the fewer outstanding, the better.
            if best == nil || (healthy && !bestHealthy) || (healthy == bestHealthy && load < bestLoad) {
                best = replica
                bestLoad = load
                bestHealthy = healthy
            }
        }
        return best ?? replicas[0]
    }

    /// Takes `replica` out of the pool because of `reason`, logging the change.
    func takeOut(_ replica: UpstreamReplica, reason: String) {
        if replica.takeOut() {
            logger.warning("/\(route): upstream \(replica.base) taken out of the pool: \(reason)")
        }
    }

    /// Puts `replica` back in the pool, logging the change.
    func putBack(_ replica: UpstreamReplica) {
        if replica.putBack() {
            logger.info("/\(route): upstream \(replica.base) is ready again and back in the pool")
        }
    }

    /// The Prometheus text of every replicated route in `sets`: per route and upstream,
    /// requests, failures, retries, removals, whether it is in the pool, and its outstanding requests.
    static func metrics(_ sets: [UpstreamReplicaSet]) -> String {
        guard !sets.isEmpty else { return "" }
        let series: [(String, String, String, (UpstreamReplica) -> Int)] = [
            ("forecast_upstream_requests_total", "counter", "Requests sent to the upstream of a replicated route (a retry counts again on the replica it went to).",
             { $0.requests.load(ordering: .relaxed) }),
            ("forecast_upstream_failures_total", "counter", "Requests that failed on the upstream with a connection error or a timeout.",
             { $0.failures.load(ordering: .relaxed) }),
            ("forecast_upstream_retries_total", "counter", "Requests that failed on the upstream with a connection error and were sent to another replica.",
             { $0.retried.load(ordering: .relaxed) }),
            ("forecast_upstream_removals_total", "counter", "Times the upstream was taken out of its route's pool.",
             { $0.removals.load(ordering: .relaxed) }),
            ("forecast_upstream_up", "gauge", "Whether the upstream is in its route's pool (1) or taken out until its /readyz answers 200 (0).",
             { $0.healthy.load(ordering: .relaxed) ? 1 : 0 }),
            ("forecast_upstream_outstanding", "gauge", "Requests sent to the upstream and not answered yet.",
             { $0.outstanding.load(ordering: .relaxed) }),
        ]
        var text = ""
        for (name, type, help, value) in series {
            text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for set in sets {
                for replica in set.replicas {
                    text += "\(name){route=\"\(set.route)\",upstream=\"\(escaped(replica.base))\"} \(value(replica))\n"
                }
            }
        }
        return text
    }

    /// A Prometheus label value: backslash, quote and newline escaped.
    private static func escaped(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
