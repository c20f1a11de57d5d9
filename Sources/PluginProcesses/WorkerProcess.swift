#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation

/// One running serving worker: its process and the host's end of their socket pair.
///
/// Started with ``ChildProcess/start()``: the worker's end of the pair is its file
/// descriptor 3, its standard output and error are the host's standard error (what a
/// plugin prints ends up in the server's log), and every other descriptor of the host is
/// closed in it. When the host's end closes (``terminate(grace:)``, or the host dies), the
/// worker reads end of file and exits.
final class WorkerProcess {
    /// The worker's process.
    private let process: ChildProcess.Running
    /// The host's end of the socket pair.
    let socket: WorkerSocket

    /// The worker's process id.
    var pid: pid_t { process.pid }

    /// Starts `executable arguments...`.
    init(executable: String, arguments: [String]) throws(ChildProcessError) {
        var ends: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &ends) == 0 else {
            throw ChildProcessError(executable: executable, message: "socketpair: \(String(cString: strerror(errno)))")
        }
        let (hostEnd, workerEnd) = (ends[0], ends[1])
        defer { close(workerEnd) }
        var child = ChildProcess(executable: executable, arguments: arguments, environment: Self.environment)
        child.standardOutput = .standardError
        child.standardError = .standardError
        child.descriptor3 = workerEnd
        do {
            process = try child.start()
        } catch {
            close(hostEnd)
            throw error
        }
        socket = WorkerSocket(descriptor: hostEnd)
    }

    /// Closes the socket (the worker exits at end of file), waits up to `grace` seconds for
    /// it to end, then kills it; returns how it ended.
    @discardableResult
    func terminate(grace: Double) -> ChildProcess.Termination {
        close(socket.descriptor)
        return process.wait(timeout: grace) ?? kill()
    }

    /// Kills the worker (SIGKILL) and reaps it.
    @discardableResult
    func kill() -> ChildProcess.Termination {
        process.signal(SIGKILL)
        return process.wait() ?? .signalled(SIGKILL)
    }

    /// How the worker ended, waiting for it until `deadline` (nil: as long as it takes);
    /// nil when it still runs then.
    func waitForExit(until deadline: Double?) -> ChildProcess.Termination? {
        process.wait(timeout: deadline.map { max(0, $0 - ChildProcess.now()) })
    }

    /// The host's environment with Swift's crash backtracer off (`SWIFT_BACKTRACE=enable=no`).
    ///
    /// On a crash the backtracer keeps the dying worker alive while it symbolicates its
    /// stack, seconds on a loaded machine, so the host saw a crash as a call past its time
    /// limit. The host reports the crash itself (the signal, the entry point); a core dump,
    /// where the system keeps them, still has the stack.
    static var environment: [String: String] {
        var variables = ProcessInfo.processInfo.environment
        variables["SWIFT_BACKTRACE"] = "enable=no"
        return variables
    }
}

@available(*, unavailable)
extension WorkerProcess: Sendable {}
