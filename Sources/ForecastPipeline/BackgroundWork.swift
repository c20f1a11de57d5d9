import Dispatch
import Locking

/// Work started on another thread now and collected later: `forecast ingest` writes its
/// processed CSVs while the store loads the rows, on the second core.
public final class BackgroundWork: Sendable {
    private let finished = DispatchSemaphore(value: 0)
    private let outcome = Locked<Result<Void, PipelineError>?>(nil)

    /// Starts `work` on a global queue.
    public init(_ work: @escaping @Sendable () throws(PipelineError) -> Void) {
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            let result = Result { () throws(PipelineError) in try work() }
            outcome.withLock { $0 = result }
            finished.signal()
        }
    }

    /// Waits until the work has finished and rethrows its error; may be called again
    /// (it then returns the same outcome at once).
    public func wait() throws(PipelineError) {
        if outcome.withLock({ $0 == nil }) {
            finished.wait()
            finished.signal() // for any other waiter
        }
        try outcome.withLock { $0! }.get()
    }
}
