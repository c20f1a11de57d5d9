import Locking

/// Counts of one plugin's worker calls and failures, kept across worker generations (a
/// reload starts new workers; the counts go on), for `/metrics` and `GET /{route}`.
public final class WorkerStatistics: Sendable {
    /// A snapshot of the counts.
    public struct Counts: Sendable, Equatable {
        /// Calls sent to a worker (load and forecast).
        public var calls = 0
        /// Workers started again after one died or was killed.
        public var restarts = 0
        /// Calls that passed their time limit (the worker was killed).
        public var timeouts = 0
        /// Workers that died during a call (a crash, an abort, the memory limit).
        public var crashes = 0
    }

    private let counts = Locked(Counts())

    /// Zero counts.
    public init() {}

    /// The counts now.
    public var current: Counts { counts.withLock { $0 } }

    /// Applies `change` to the counts.
    func update(_ change: (inout Counts) -> Void) {
        counts.withLock { change(&$0) }
    }
}
