import Dispatch
import Locking
import Testing

@Suite("Locked: the project's lock")
struct LockedTests {
    struct Refused: Error, Equatable { var value: Int }

    @Test("updates from many threads at once are none of them lost")
    func contended() {
        let counter = Locked(0)
        let threads = 8, increments = 20_000
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            for _ in 0..<increments { counter.withLock { $0 += 1 } }
        }
        #expect(counter.withLock { $0 } == threads * increments)
    }

    @Test("withLock returns the body's result and rethrows its typed error, leaving the lock free")
    func resultAndError() {
        let state = Locked([1, 2, 3])
        #expect(state.withLock { $0.reduce(0, +) } == 6)
        #expect(throws: Refused(value: 3)) {
            try state.withLock { (values) throws(Refused) in
                values.append(4)
                throw Refused(value: values.count - 1)
            }
        }
        // The change made before the throw stays, and the lock can be taken again.
        #expect(state.withLock { $0 } == [1, 2, 3, 4])
    }
}
