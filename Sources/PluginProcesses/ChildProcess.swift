#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation
import Locking

/// A program run in a child process: to completion with its input, outputs and a deadline
/// (``run(input:timeout:)``), or started now and stopped later (``start()``).
///
/// Started with `posix_spawn` and reaped with `waitpid`, so it works where Foundation's
/// `Process` does not (under AddressSanitizer its child-exit monitoring can miss the exit)
/// and it can hand the child an extra pipe: a *reply channel* on file descriptor 3 that a
/// child writes its result to, apart from whatever it (or a library it loaded) prints.
/// Every other descriptor of the parent is closed in the child. When the deadline passes,
/// the child is killed with SIGKILL and the outcome says so.
public struct ChildProcess: Sendable {
    /// Where one of the child's output streams goes.
    public enum Output: Sendable, Equatable {
        /// The parent's standard output.
        case standardOutput
        /// The parent's standard error.
        case standardError
        /// Collected into the outcome.
        case capture
        /// `/dev/null`.
        case discard
        /// A file, created if missing and emptied first; written in append mode, so standard
        /// output and standard error may share one file.
        case file(String)
    }

    /// How the child ended.
    public enum Termination: Sendable, Equatable, CustomStringConvertible {
        /// It exited with this status.
        case exited(Int32)
        /// It was killed by this signal.
        case signalled(Int32)
        /// It was still running at the deadline and was killed.
        case timedOut(seconds: Double)

        /// `exit status 1`, `killed by signal 11 (Segmentation fault)`, `timed out after 5 s`.
        public var description: String {
            switch self {
            case .exited(let status): "exit status \(status)"
            case .signalled(let signal): "killed by signal \(signal) (\(String(cString: strsignal(signal))))"
            case .timedOut(let seconds): "still running after \(Self.format(seconds)) s, killed"
            }
        }

        /// Decodes a `waitpid` status.
        init(waitStatus status: Int32) {
            self = status & 0x7f == 0 ? .exited((status >> 8) & 0xff) : .signalled(status & 0x7f)
        }

        private static func format(_ seconds: Double) -> String {
            seconds == seconds.rounded() ? String(Int(seconds)) : String(format: "%.1f", seconds)
        }
    }

    /// What a finished child left behind.
    public struct Outcome: Sendable {
        /// How it ended.
        public var termination: Termination
        /// Its standard output, when captured.
        public var standardOutput: [UInt8] = []
        /// Its standard error, when captured.
        public var standardError: [UInt8] = []
        /// What it wrote to file descriptor 3, when the reply channel is open.
        public var reply: [UInt8] = []

        /// True when the child exited with status 0.
        public var succeeded: Bool { termination == .exited(0) }
    }

    /// The program: an absolute path, or a name looked up in `PATH`.
    public var executable: String
    /// Its arguments (not including the program name).
    public var arguments: [String]
    /// Its environment (nil: the parent's).
    public var environment: [String: String]?
    /// Its working directory (nil: the parent's).
    public var directory: String?
    /// Where its standard output goes.
    public var standardOutput: Output = .capture
    /// Where its standard error goes.
    public var standardError: Output = .capture
    /// Whether the child gets a reply channel on file descriptor 3.
    public var replyChannel = false
    /// A descriptor of this process the child gets as its file descriptor 3 (for example
    /// its end of a socket pair), instead of a reply channel; the caller still owns it and
    /// closes its copy once the child has started.
    public var descriptor3: Int32?

    /// Describes a child; nothing runs until ``run(input:timeout:)``.
    public init(executable: String, arguments: [String] = [], environment: [String: String]? = nil, directory: String? = nil) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.directory = directory
    }

    /// Starts the child, writes `input` to its standard input, collects its outputs and waits.
    ///
    /// With a `timeout` (seconds), a child still running then is killed with SIGKILL and the
    /// outcome is ``Termination/timedOut(seconds:)``. Throws only when the child cannot be
    /// started (the message names the program and the reason).
    public func run(input: [UInt8] = [], timeout: Double? = nil) throws(ChildProcessError) -> Outcome {
        Self.ignoreBrokenPipes
        var started = try Spawned(self, inputPipe: true)
        return started.communicate(input: input, deadline: timeout.map { (seconds: $0, at: Self.now() + $0) })
    }

    /// Starts the child and returns at once, for a program that runs alongside the caller
    /// (a server): signal it, poll it or wait for it through the returned handle.
    ///
    /// Its standard input is `/dev/null`. Nothing reads pipes while it runs, so its outputs
    /// cannot be ``Output/capture`` and it gets no reply channel: send them to a ``Output/file(_:)``
    /// instead, and talk to it through ``descriptor3`` (a serving worker's socket).
    /// Throws when the child cannot be started or the outputs ask for pipes.
    public func start() throws(ChildProcessError) -> Running {
        guard standardOutput != .capture, standardError != .capture, !replyChannel else {
            throw ChildProcessError(executable: executable,
                                    message: "a started child cannot capture output or reply (nothing reads the pipes); send its output to a file")
        }
        Self.ignoreBrokenPipes  // the caller may write to it through descriptor 3
        let spawned = try Spawned(self, inputPipe: false)
        return Running(pid: spawned.pid)
    }

    /// Writing to a child that died must be an error (EPIPE), not a signal that kills the parent.
    private static let ignoreBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN) }()

    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}

extension ChildProcess {
    /// A child started with ``ChildProcess/start()`` that runs alongside the caller until it
    /// is reaped by ``wait(timeout:)`` or a poll of ``termination``.
    ///
    /// Safe to use from several threads. Once the child is reaped its pid may be reused by
    /// another process, so ``signal(_:)`` sends nothing from then on. A handle dropped while
    /// the child runs leaves the child running (and, when it ends, unreaped).
    public final class Running: Sendable {
        /// The child's process id.
        public let pid: pid_t
        /// How the child ended, once reaped; the lock also keeps each waitpid and kill from
        /// racing a reap.
        private let ended = Locked<Termination?>(nil)

        init(pid: pid_t) {
            self.pid = pid
        }

        /// How the child ended, or nil while it still runs; never blocks.
        public var termination: Termination? {
            ended.withLock { ended in
                if ended == nil {
                    var status: Int32 = 0
                    if waitpid(pid, &status, WNOHANG) == pid { ended = Termination(waitStatus: status) }
                }
                return ended
            }
        }

        /// Sends `signal` to the child; false (and nothing sent) once it has been reaped.
        @discardableResult
        public func signal(_ signal: Int32) -> Bool {
            ended.withLock { $0 == nil && kill(pid, signal) == 0 }
        }

        /// Waits until the child ends, at most `timeout` seconds (nil: as long as it takes),
        /// and returns how it ended; nil when it is still running then (it is left running).
        public func wait(timeout: Double? = nil) -> Termination? {
            let deadline = timeout.map { ChildProcess.now() + $0 }
            while true {
                if let ended = termination { return ended }
                if let deadline, ChildProcess.now() >= deadline { return nil }
                usleep(5_000)
            }
        }
    }
}

/// A child process that could not be started.
public struct ChildProcessError: Error, Sendable, CustomStringConvertible {
    /// The program.
    public var executable: String
    /// Why.
    public var message: String

    /// `cannot start /path/prog: No such file or directory`.
    public var description: String { "cannot start \(executable): \(message)" }
}

/// glibc functions that Swift's Glibc module hides behind `_GNU_SOURCE`, looked up by name.
private enum GNUFunctions {
    typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// `pipe2`: a pipe whose ends are close-on-exec from the start, so a child another thread
    /// spawns meanwhile cannot inherit them (glibc has had it since 2.9).
    static let pipe2: Pipe2 = unsafeBitCast(dlsym(nil, "pipe2")!, to: Pipe2.self)
    /// `posix_spawn_file_actions_addchdir_np` (glibc 2.29 and later).
    static let addChdir: AddChdir? = dlsym(nil, "posix_spawn_file_actions_addchdir_np").map { unsafeBitCast($0, to: AddChdir.self) }
    /// `posix_spawn_file_actions_addclosefrom_np` (glibc 2.34 and later).
    static let addCloseFrom: AddCloseFrom? = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np").map { unsafeBitCast($0, to: AddCloseFrom.self) }
}

/// A running child and the parent's ends of its pipes.
private struct Spawned {
    let pid: pid_t
    var input: Int32 = -1
    var output: Int32 = -1
    var error: Int32 = -1
    var reply: Int32 = -1

    /// Spawns `spec`; its standard input is a pipe this side writes (`inputPipe`) or `/dev/null`.
    init(_ spec: ChildProcess, inputPipe: Bool) throws(ChildProcessError) {
        var fileActions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fileActions)
        defer { posix_spawn_file_actions_destroy(&fileActions) }
        var childEnds: [Int32] = []
        var parentEnds: [Int32] = []
        func fail(_ message: String) -> ChildProcessError {
            (childEnds + parentEnds).forEach { close($0) }
            return ChildProcessError(executable: spec.executable, message: message)
        }
        /// A close-on-exec pipe; returns (read end, write end).
        func makePipe() throws(ChildProcessError) -> (Int32, Int32) {
            var ends: [Int32] = [-1, -1]
            guard GNUFunctions.pipe2(&ends, O_CLOEXEC) == 0 else { throw fail("pipe: \(String(cString: strerror(errno)))") }
            return (ends[0], ends[1])
        }

        if inputPipe {
            let (inputRead, inputWrite) = try makePipe()
            childEnds.append(inputRead)
            parentEnds.append(inputWrite)
            posix_spawn_file_actions_adddup2(&fileActions, inputRead, 0)
            input = inputWrite
        } else {
            posix_spawn_file_actions_addopen(&fileActions, 0, "/dev/null", O_RDONLY, 0)
        }

        for (target, destination) in [(Int32(1), spec.standardOutput), (Int32(2), spec.standardError)] {
            switch destination {
            case .standardOutput: posix_spawn_file_actions_adddup2(&fileActions, 1, target)
            case .standardError: posix_spawn_file_actions_adddup2(&fileActions, 2, target)
            case .discard: posix_spawn_file_actions_addopen(&fileActions, target, "/dev/null", O_WRONLY, 0)
            case .file(let path):
                posix_spawn_file_actions_addopen(&fileActions, target, path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0o644)
            case .capture:
                let (readEnd, writeEnd) = try makePipe()
                childEnds.append(writeEnd)
                parentEnds.append(readEnd)
                posix_spawn_file_actions_adddup2(&fileActions, writeEnd, target)
                if target == 1 { output = readEnd } else { error = readEnd }
            }
        }
        if spec.replyChannel {
            let (readEnd, writeEnd) = try makePipe()
            childEnds.append(writeEnd)
            parentEnds.append(readEnd)
            posix_spawn_file_actions_adddup2(&fileActions, writeEnd, 3)
            reply = readEnd
        } else if let descriptor = spec.descriptor3 {
            posix_spawn_file_actions_adddup2(&fileActions, descriptor, 3)  // dup2 clears close-on-exec
        }
        // Descriptors the parent opened without close-on-exec (Foundation's pipes and files
        // are) must not reach the child: a leaked pipe end keeps another reader waiting.
        if let closeFrom = GNUFunctions.addCloseFrom {
            let firstClosed: Int32 = spec.replyChannel || spec.descriptor3 != nil ? 4 : 3
            guard closeFrom(&fileActions, firstClosed) == 0 else { throw fail("cannot close inherited descriptors") }
        }
        if let directory = spec.directory {
            guard let addChdir = GNUFunctions.addChdir else { throw fail("this C library cannot set a child's working directory") }
            guard addChdir(&fileActions, directory) == 0 else { throw fail("cannot set the working directory \(directory)") }
        }

        // Default dispositions and an empty mask in the child, whatever the parent set.
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

        let argv = ([spec.executable] + spec.arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let environmentStrings = spec.environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { environmentStrings?.forEach { free($0) } }

        var pid: pid_t = 0
        let status: Int32
        if let environmentStrings {
            status = posix_spawnp(&pid, spec.executable, &fileActions, &attributes, argv, environmentStrings)
        } else {
            status = posix_spawnp(&pid, spec.executable, &fileActions, &attributes, argv, environ)
        }
        childEnds.forEach { close($0) }
        childEnds = []
        guard status == 0 else { throw fail(String(cString: strerror(status))) }
        self.pid = pid
        for descriptor in parentEnds {
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        }
    }

    /// Feeds `input`, drains the outputs until they close, and reaps the child, killing it
    /// at the deadline.
    mutating func communicate(input bytes: [UInt8], deadline: (seconds: Double, at: Double)?) -> ChildProcess.Outcome {
        var outcome = ChildProcess.Outcome(termination: .exited(0))
        var written = 0
        if bytes.isEmpty { Self.closeDescriptor(&input) }
        var timedOut = false
        while input >= 0 || output >= 0 || error >= 0 || reply >= 0 {
            var watched: [pollfd] = []
            if input >= 0 { watched.append(pollfd(fd: input, events: Int16(POLLOUT), revents: 0)) }
            for descriptor in [output, error, reply] where descriptor >= 0 {
                watched.append(pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0))
            }
            var wait: Int32 = -1
            if let deadline {
                let left = deadline.at - ChildProcess.now()
                if left <= 0 { timedOut = true; break }
                wait = Int32(min(left * 1000, 60_000).rounded(.up))
            }
            let ready = poll(&watched, nfds_t(watched.count), wait)
            if ready < 0 && errno != EINTR { break }
            if ready <= 0 { continue }
            for entry in watched where entry.revents != 0 {
                if entry.fd == input {
                    let count = bytes.withUnsafeBytes { raw in
                        Glibc.write(input, raw.baseAddress! + written, min(raw.count - written, 1 << 16))
                    }
                    if count > 0 { written += count }
                    if (count < 0 && errno != EAGAIN && errno != EINTR) || written == bytes.count {
                        Self.closeDescriptor(&input) // done, or the child stopped reading (EPIPE)
                    }
                } else if entry.fd == output {
                    Self.drain(&output, into: &outcome.standardOutput)
                } else if entry.fd == error {
                    Self.drain(&error, into: &outcome.standardError)
                } else if entry.fd == reply {
                    Self.drain(&reply, into: &outcome.reply)
                }
            }
        }
        // Outputs closed (or the deadline passed): reap, still honouring the deadline.
        var status: Int32 = 0
        while !timedOut {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid { break }
            if reaped < 0 && errno != EINTR { break }
            if let deadline, ChildProcess.now() >= deadline.at { timedOut = true; break }
            usleep(2_000)
        }
        for index in [input, output, error, reply] where index >= 0 { close(index) }
        if timedOut, let deadline {
            kill(pid, SIGKILL)
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            outcome.termination = .timedOut(seconds: deadline.seconds)
        } else {
            outcome.termination = ChildProcess.Termination(waitStatus: status)
        }
        return outcome
    }

    private static func drain(_ descriptor: inout Int32, into buffer: inout [UInt8]) {
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                buffer.append(contentsOf: chunk[0..<count])
            } else if count < 0 && (errno == EAGAIN || errno == EINTR) {
                return
            } else {
                Self.closeDescriptor(&descriptor)
                return
            }
        }
    }

    private static func closeDescriptor(_ descriptor: inout Int32) {
        close(descriptor)
        descriptor = -1
    }
}
