#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation

/// A program run to completion in a child process, with its input, outputs and a deadline.
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
        var started = try Spawned(self)
        return started.communicate(input: input, deadline: timeout.map { (seconds: $0, at: Self.now() + $0) })
    }

    /// Writing to a child that died must be an error (EPIPE), not a signal that kills the parent.
    private static let ignoreBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN) }()

    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
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

    /// `pipe2`: a pipe whose ends are close-on-exec from the start, so a child another thread
    /// spawns meanwhile cannot inherit them (glibc has had it since 2.9).
    static let pipe2: Pipe2 = unsafeBitCast(dlsym(nil, "pipe2")!, to: Pipe2.self)
    /// `posix_spawn_file_actions_addchdir_np` (glibc 2.29 and later).
    static let addChdir: AddChdir? = dlsym(nil, "posix_spawn_file_actions_addchdir_np").map { unsafeBitCast($0, to: AddChdir.self) }
}

/// A running child and the parent's ends of its pipes.
private struct Spawned {
    let pid: pid_t
    var input: Int32 = -1
    var output: Int32 = -1
    var error: Int32 = -1
    var reply: Int32 = -1

    init(_ spec: ChildProcess) throws(ChildProcessError) {
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

        let (inputRead, inputWrite) = try makePipe()
        childEnds.append(inputRead)
        parentEnds.append(inputWrite)
        posix_spawn_file_actions_adddup2(&fileActions, inputRead, 0)
        input = inputWrite

        for (target, destination) in [(Int32(1), spec.standardOutput), (Int32(2), spec.standardError)] {
            switch destination {
            case .standardOutput: posix_spawn_file_actions_adddup2(&fileActions, 1, target)
            case .standardError: posix_spawn_file_actions_adddup2(&fileActions, 2, target)
            case .discard: posix_spawn_file_actions_addopen(&fileActions, target, "/dev/null", O_WRONLY, 0)
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
        } else if status & 0x7f == 0 {
            outcome.termination = .exited((status >> 8) & 0xff)
        } else {
            outcome.termination = .signalled(status & 0x7f)
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
