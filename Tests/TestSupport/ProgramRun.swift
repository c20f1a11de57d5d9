import Foundation
import PluginProcesses

/// A program a test ran to completion, with its outputs as text.
///
/// Runs through ``ChildProcess`` (`posix_spawn` and `waitpid`), not Foundation's `Process`,
/// whose exit monitoring can miss a child's exit under AddressSanitizer and hang the test.
public struct ProgramRun: Sendable {
    /// How the program ended.
    public var termination: ChildProcess.Termination
    /// Its standard output.
    public var output: String
    /// Its standard error.
    public var errors: String

    /// True when the program exited on its own (not killed by a signal or the time limit).
    public var exited: Bool {
        if case .exited = termination { return true }
        return false
    }

    /// The exit status; -1 when the program did not exit on its own.
    public var status: Int32 {
        if case .exited(let status) = termination { return status }
        return -1
    }

    /// Runs `child` to completion, capturing both outputs; a program still running after
    /// `timeout` seconds is killed, so a hang fails the test instead of blocking the suite.
    public static func run(_ child: ChildProcess, timeout: Double = 600) throws -> ProgramRun {
        var child = child
        child.standardOutput = .capture
        child.standardError = .capture
        let outcome = try child.run(timeout: timeout)
        return ProgramRun(termination: outcome.termination,
                          output: String(decoding: outcome.standardOutput, as: UTF8.self),
                          errors: String(decoding: outcome.standardError, as: UTF8.self))
    }

    /// Runs `executable arguments...` to completion (see ``run(_:timeout:)``).
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                           in directory: String? = nil, timeout: Double = 600) throws -> ProgramRun {
        try run(ChildProcess(executable: executable, arguments: arguments, environment: environment, directory: directory),
                timeout: timeout)
    }

    /// ``run(_:timeout:)`` on a thread of its own, so an async test does not hold one of the
    /// few threads of Swift's cooperative pool while the program runs.
    public static func run(_ child: ChildProcess, timeout: Double = 600) async throws -> ProgramRun {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try run(child, timeout: timeout) })
            }
        }
    }
}
