import Locking

/// Bounds the trainings `POST /{route}/forecast` runs: at most `running` at once, at most
/// `waiting` requests queued for a slot (first come, first served); beyond that a request
/// is refused at once, so a burst costs a 503 rather than unbounded memory and latency.
final class TrainingQueue: Sendable {
    private struct State {
        var running = 0
        var waiters: [CheckedContinuation<Bool, Never>] = []
    }

    private let state = Locked(State())
    /// Slots.
    let running: Int
    /// Queue places.
    let waiting: Int

    init(running: Int, waiting: Int) {
        self.running = max(running, 1)
        self.waiting = max(waiting, 0)
    }

    /// Waits for a slot; false (at once) when every slot is taken and the queue is full.
    /// A true answer must be followed by exactly one ``release()``.
    func acquire() async -> Bool {
        await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let answer: Bool? = state.withLock { state in
                if state.running < running {
                    state.running += 1
                    return true
                }
                guard state.waiters.count < waiting else { return false }
                state.waiters.append(continuation)
                return nil
            }
            if let answer { continuation.resume(returning: answer) }
        }
    }

    /// Hands the slot to the first waiter, or frees it.
    func release() {
        let next: CheckedContinuation<Bool, Never>? = state.withLock { state in
            if state.waiters.isEmpty {
                state.running -= 1
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume(returning: true)
    }

    /// Trainings running and requests waiting, now.
    var load: (running: Int, waiting: Int) { state.withLock { ($0.running, $0.waiters.count) } }
}

extension TrainingQueue {
    /// One granted slot, released when every holder is done: the request that acquired it,
    /// and any training that outlives the request's answer (an in-process training past its
    /// time limit keeps running until the plugin stops, and keeps its slot meanwhile).
    final class Slot: Sendable {
        private let queue: TrainingQueue
        private let holders = Locked(1)

        /// A slot acquired from `queue`, held once (by the acquirer).
        init(_ queue: TrainingQueue) {
            self.queue = queue
        }

        /// One more holder.
        func hold() {
            holders.withLock { $0 += 1 }
        }

        /// One holder is done; the last gives the slot back.
        func done() {
            let last = holders.withLock { count in
                count -= 1
                return count == 0
            }
            if last { queue.release() }
        }
    }
}
