#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import PluginProcesses

extension ChildProcess.Running {
    /// True until the child has ended.
    public var isRunning: Bool { termination == nil }

    /// Sends `signal` (SIGTERM by default), waits up to `grace` seconds for the child to
    /// end, then kills it with SIGKILL; returns how it ended. What a test does with a child
    /// it started; the host ends its workers through their socket
    /// (`WorkerProcess.terminate(grace:)`).
    @discardableResult
    public func stop(signal: Int32 = SIGTERM, grace: Double) -> ChildProcess.Termination {
        self.signal(signal)
        if let ended = wait(timeout: grace) { return ended }
        self.signal(SIGKILL)
        return wait() ?? .signalled(SIGKILL)
    }
}
