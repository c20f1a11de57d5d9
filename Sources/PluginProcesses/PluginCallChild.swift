import Foundation

/// One plugin call run in a child process of this program, so a plugin that crashes,
/// aborts or hangs there ends that child and not the caller.
///
/// The child is the host program itself started with `arguments` (a hidden subcommand
/// such as `train-child`, `check-child` or `plugins check-step`): it reads `request` on its
/// standard input and writes its answer to the reply channel (file descriptor 3). Whatever
/// the plugin prints goes to this process's standard error. Training, the publish check and
/// the conformance steps each say what the request and the answer are; this type is the
/// part they share: starting the child, the time limit, and telling an answer from a crash,
/// a time-out or an exit without one.
public struct PluginCallChild: Sendable {
    /// How the call ended. Every case carries what the child wrote to its reply channel,
    /// which may be a partial trail (the conformance steps record each entry point they
    /// enter, so a crash can be placed).
    public enum Ending: Sendable {
        /// It exited with `status` and wrote a reply.
        case answered(reply: [UInt8], status: Int32)
        /// It was killed by a signal (the plugin crashed or aborted).
        case crashed(ChildProcess.Termination, reply: [UInt8])
        /// It was still running at the time limit and was killed.
        case timedOut(ChildProcess.Termination, reply: [UInt8])
        /// It exited without a reply (the plugin may have called `exit()`).
        case exitedWithoutReply(status: Int32)
        /// It could not be started; the message says why.
        case notStarted(String)
    }

    /// The program to start (normally this executable).
    public var executable: String
    /// Its arguments; the request goes to its standard input.
    public var arguments: [String]
    /// Its environment (nil: this process's).
    public var environment: [String: String]?
    /// Seconds the call may take before the child is killed (nil: no limit).
    public var timeout: Double?

    /// Describes the call; nothing runs until ``run(_:)``.
    public init(executable: String, arguments: [String], environment: [String: String]? = nil, timeout: Double?) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.timeout = timeout
    }

    /// Runs the child with `request` on its standard input and waits for it to end.
    public func run(_ request: [UInt8]) -> Ending {
        var child = ChildProcess(executable: executable, arguments: arguments, environment: environment)
        child.standardOutput = .standardError
        child.standardError = .standardError
        child.replyChannel = true
        let outcome: ChildProcess.Outcome
        do {
            outcome = try child.run(input: request, timeout: timeout)
        } catch {
            return .notStarted(error.description)
        }
        switch outcome.termination {
        case .signalled: return .crashed(outcome.termination, reply: outcome.reply)
        case .timedOut: return .timedOut(outcome.termination, reply: outcome.reply)
        case .exited(let status) where outcome.reply.isEmpty: return .exitedWithoutReply(status: status)
        case .exited(let status): return .answered(reply: outcome.reply, status: status)
        }
    }
}
