import Foundation
import Hummingbird
import HummingbirdTesting

/// A task executor with threads of its own, for the servers the tests run in this process.
///
/// `swift test` runs every suite of every test target in one process, in parallel, on
/// Swift's cooperative pool: one thread per core, two on the CI machine. Tests that block
/// a thread (a synchronous test waiting for a child process, a long numerical fit) can hold
/// every one of them for seconds, and a server whose request handlers run on the pool
/// then answers nothing meanwhile: a client's read times out although the server is fine.
/// A server started under `withTaskExecutorPreference(DedicatedThreadsExecutor.shared)`
/// runs its connection tasks (and the handlers in them) on these threads instead, which
/// no other test blocks.
final class DedicatedThreadsExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: `jobs` is used under `condition` only.

    /// The executor the tests' in-process servers run on: four threads, started once.
    static let shared = DedicatedThreadsExecutor(threads: 4)

    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []

    private init(threads: Int) {
        for index in 0..<threads {
            let thread = Thread { [unowned self] in self.work() }
            thread.name = "test-server-\(index)"
            thread.start()
        }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}

extension ApplicationProtocol {
    /// `test(setup, body)` with the application's tasks (and `body`) on
    /// ``DedicatedThreadsExecutor``: for tests over real sockets, whose clients would time
    /// out if other tests held every thread of the cooperative pool.
    func testOnOwnThreads<Value: Sendable>(_ setup: TestingSetup,
                                           _ body: @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        try await withTaskExecutorPreference(DedicatedThreadsExecutor.shared) {
            try await self.test(setup, body)
        }
    }
}
