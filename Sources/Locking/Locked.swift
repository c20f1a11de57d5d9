#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value behind a pthread mutex: the one lock type of this project.
///
/// The same interface as `Synchronization.Mutex` (``withLock(_:)``), on a different
/// primitive, for the sake of the sanitizer stage of the tests: ThreadSanitizer intercepts
/// `pthread_mutex_lock`, but cannot see `Mutex`'s contended path (a futex wait inside the
/// uninstrumented Synchronization library), so every contended `Mutex` showed up as a data
/// race on the state it guards. An uncontended lock costs the same atomic either way.
///
/// ```swift
/// let hits = Locked(0)
/// hits.withLock { $0 += 1 }
/// ```
public final class Locked<State>: @unchecked Sendable {
    // @unchecked: `state` is only touched between lock and unlock of `mutex`, and the
    // value goes in and out with `sending`, as with Synchronization.Mutex.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var state: State

    /// Holds `initial` behind a new mutex.
    public init(_ initial: sending State) {
        mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        var attributes = pthread_mutexattr_t()
        pthread_mutexattr_init(&attributes)
        #if canImport(Glibc)
        // Spin briefly before sleeping, as Mutex does: the server's locks are held for a
        // dictionary lookup, and two event loops meeting on one would otherwise pay a
        // futex sleep and wake-up (the throughput it costs: bench/server/README.md).
        pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_ADAPTIVE_NP))
        #endif
        let status = pthread_mutex_init(mutex, &attributes)
        pthread_mutexattr_destroy(&attributes)
        precondition(status == 0, "pthread_mutex_init failed: \(status)")
        state = initial
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// Runs `body` with the state while holding the lock, and returns what it returns.
    public func withLock<Result, Failure: Error>(
        _ body: (inout sending State) throws(Failure) -> sending Result
    ) throws(Failure) -> sending Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&state)
    }
}
