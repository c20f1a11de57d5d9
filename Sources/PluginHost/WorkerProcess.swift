#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation

/// One running serving worker: its process and the host's end of their socket pair.
///
/// Started with `posix_spawn`; the worker's end of the pair is its file descriptor 3, its
/// standard output and error are the host's standard error (what a plugin prints ends up
/// in the server's log), and every other descriptor of the host is closed in it. When the
/// host's end closes (``terminate(grace:)``, or the host dies), the worker reads end of
/// file and exits.
final class WorkerProcess {
    /// The worker's process id.
    let pid: pid_t
    /// The host's end of the socket pair.
    let socket: WorkerSocket
    private var reaped: ChildProcess.Termination?

    /// Starts `executable arguments...`.
    init(executable: String, arguments: [String]) throws(ChildProcessError) {
        Self.ignoreBrokenPipes
        var ends: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &ends) == 0 else {
            throw ChildProcessError(executable: executable, message: "socketpair: \(String(cString: strerror(errno)))")
        }
        let (hostEnd, workerEnd) = (ends[0], ends[1])
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, 2, 1)
        posix_spawn_file_actions_adddup2(&actions, workerEnd, 3)  // dup2 clears close-on-exec
        if let closeFrom = Self.addCloseFrom { _ = closeFrom(&actions, 4) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let environment = Self.environment.map { strdup($0) } + [nil]
        defer { environment.forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawnp(&pid, executable, &actions, &attributes, argv, environment)
        close(workerEnd)
        guard status == 0 else {
            close(hostEnd)
            throw ChildProcessError(executable: executable, message: String(cString: strerror(status)))
        }
        self.pid = pid
        socket = WorkerSocket(descriptor: hostEnd)
    }

    /// Closes the socket (the worker exits at end of file), waits up to `grace` seconds for
    /// it to end, then kills it; returns how it ended.
    @discardableResult
    func terminate(grace: Double) -> ChildProcess.Termination {
        close(socket.descriptor)
        if let ended = waitForExit(until: ChildProcess.now() + grace) { return ended }
        return kill()
    }

    /// Kills the worker (SIGKILL) and reaps it.
    @discardableResult
    func kill() -> ChildProcess.Termination {
        if let reaped { return reaped }
        Glibc.kill(pid, SIGKILL)
        return waitForExit(until: nil) ?? .signalled(SIGKILL)
    }

    /// How the worker ended, waiting for it until `deadline` (nil: as long as it takes).
    ///
    /// Call only once the worker is known to be ending (its socket closed): the wait polls.
    func waitForExit(until deadline: Double?) -> ChildProcess.Termination? {
        if let reaped { return reaped }
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid {
                reaped = ChildProcess.Termination(waitStatus: status)
                return reaped
            }
            if result < 0 && errno != EINTR { return nil }
            if let deadline, ChildProcess.now() >= deadline { return nil }
            usleep(2_000)
        }
    }

    /// The worker's resident memory in bytes, from `/proc/PID/statm` (nil once it is gone).
    var residentBytes: Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    private static let ignoreBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN) }()

    /// The host's environment with Swift's crash backtracer off (`SWIFT_BACKTRACE=enable=no`).
    ///
    /// On a crash the backtracer keeps the dying worker alive while it symbolicates its
    /// stack, seconds on a loaded machine, so the host saw a crash as a call past its time
    /// limit. The host reports the crash itself (the signal, the entry point); a core dump,
    /// where the system keeps them, still has the stack.
    static var environment: [String] {
        var variables = ProcessInfo.processInfo.environment
        variables["SWIFT_BACKTRACE"] = "enable=no"
        return variables.map { "\($0.key)=\($0.value)" }
    }

    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    /// `posix_spawn_file_actions_addclosefrom_np` (glibc 2.34 and later); without it the
    /// host's descriptors are close-on-exec or the worker inherits them harmlessly.
    private static let addCloseFrom: AddCloseFrom? = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np")
        .map { unsafeBitCast($0, to: AddCloseFrom.self) }
}

@available(*, unavailable)
extension WorkerProcess: Sendable {}
