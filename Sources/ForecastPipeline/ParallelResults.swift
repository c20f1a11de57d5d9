import Locking

/// One slot per task of a parallel loop (`DispatchQueue.concurrentPerform`), each
/// written once by its task and read once every task has finished.
final class ParallelResults<Value: Sendable, Failure: Error>: Sendable {
    private let slots: Locked<[Result<Value, Failure>?]>

    /// `count` empty slots.
    init(count: Int) { slots = Locked(Array(repeating: nil, count: count)) }

    /// Fills slot `index`.
    func set(_ index: Int, _ value: Result<Value, Failure>) {
        slots.withLock { $0[index] = value }
    }

    /// The value of slot `index`, or its error; the slot must have been filled.
    func get(_ index: Int) throws(Failure) -> Value {
        try slots.withLock { $0[index]! }.get()
    }
}
