import Synchronization

/// One upstream of a replicated route: where it is, whether it is in the pool, and its counts.
///
/// Shared by every event loop's exchanges and the health check, so its state is atomic: a
/// request on any loop reads ``outstanding`` to choose a replica and moves it up and down.
final class UpstreamReplica: Sendable {
    /// The configured base URL, `http://10.0.0.7:8080/v1`.
    let base: String
    /// `base`, parsed.
    let target: UpstreamTarget
    /// Requests sent to it and not answered yet, over every loop.
    let outstanding = Atomic<Int>(0)
    /// In the pool (true) or taken out after a failed health check or connection (false).
    let healthy = Atomic<Bool>(true)
    /// Requests sent to it (each attempt counts once).
    let requests = Atomic<Int>(0)
    /// Requests that failed on it with a connection error or a timeout.
    let failures = Atomic<Int>(0)
    /// Requests that failed on it with a connection error and were sent again to another replica.
    let retried = Atomic<Int>(0)
    /// Times it was taken out of the pool.
    let removals = Atomic<Int>(0)

    init(base: String, target: UpstreamTarget) {
        self.base = base
        self.target = target
    }

    /// Counts a request sent to it.
    func began() {
        outstanding.add(1, ordering: .relaxed)
        requests.add(1, ordering: .relaxed)
    }

    /// Counts the end of a request sent to it, failed or not.
    func ended(failed: Bool) {
        outstanding.subtract(1, ordering: .relaxed)
        if failed { failures.add(1, ordering: .relaxed) }
    }

    /// Takes it out of the pool; true when it was in.
    func takeOut() -> Bool {
        let (exchanged, _) = healthy.compareExchange(expected: true, desired: false, ordering: .relaxed)
        if exchanged { removals.add(1, ordering: .relaxed) }
        return exchanged
    }

    /// Puts it back in the pool; true when it was out.
    func putBack() -> Bool {
        healthy.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged
    }
}
