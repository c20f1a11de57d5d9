import Foundation
import PluginBinding

/// Runs the conformance suite with each step in a child process of its own, so that a
/// plugin that crashes, aborts or hangs in any entry point fails that step, named with
/// the signal and the entry point, and the checker lives on to report the rest.
///
/// The checker never loads the plugin itself: the first child (step `library`) loads it
/// and describes it, or says why it was refused. The child is the host program, started
/// with `arguments` (for `forecast`, `plugins check-step`), which hands the
/// ``ConformanceStepRequest`` on its standard input to ``ConformanceStepChild`` and
/// writes the ``ConformanceStepReply`` to file descriptor 3.
public struct IsolatedConformanceSuite: Sendable {
    /// The whole run: the plugin (or why it was refused) and every check in order.
    public struct Report: Sendable {
        /// The plugin, when it loaded.
        public var info: CheckedPluginInfo?
        /// Why the library was refused (or what killed the process that loaded it).
        public var refusal: String?
        /// Every check that ran, in order.
        public var checks: [ConformanceSuite.Check] = []
        /// True when the library loaded and every check passed.
        public var passed: Bool { refusal == nil && !checks.isEmpty && checks.allSatisfy(\.passed) }
    }

    /// The program to start (normally this executable).
    public var executable: String
    /// Its arguments; the request goes to its standard input.
    public var arguments: [String]
    /// The plugin library.
    public var path: String
    /// Training options (a JSON object).
    public var options: String
    /// Seconds one step may take before its process is killed.
    public var timeout: Double
    /// Whether a library writable by group or others is refused (as the host refuses it).
    public var checkPermissions: Bool

    /// Creates the runner.
    public init(executable: String, arguments: [String], path: String, options: String = "{}",
                timeout: Double = 300, checkPermissions: Bool = true) {
        self.executable = executable
        self.arguments = arguments
        self.path = path
        self.options = options
        self.timeout = timeout
        self.checkPermissions = checkPermissions
    }

    /// Runs every step, calling `onCheck` with each result as it arrives.
    public func run(onCheck: (ConformanceSuite.Check) -> Void = { _ in }) -> Report {
        var report = Report()
        func add(_ checks: [ConformanceSuite.Check]) {
            report.checks += checks
            checks.forEach(onCheck)
        }
        switch runStep(ConformanceStepRequest.libraryStep, name: "library", blob: []) {
        case .failed(let check):
            report.refusal = "\(path): \(check.detail)"
            return report
        case .answered(let reply):
            if let refusal = reply.refusal {
                report.refusal = refusal
                return report
            }
            report.info = reply.info
            add(reply.checks)
        }
        var blob: [UInt8] = []
        for step in ConformanceSuite.Step.allCases {
            switch runStep(step.rawValue, name: step.checkName, blob: blob) {
            case .failed(let check):
                add([check])
                if step.isPrerequisite { return report }
            case .answered(let reply):
                add(reply.checks)
                if step == .train {
                    guard let trained = reply.blob else { return report }
                    blob = trained
                }
                if step.isPrerequisite && reply.checks.contains(where: { !$0.passed }) { return report }
            }
        }
        return report
    }

    private enum StepOutcome {
        case answered(ConformanceStepReply)
        case failed(ConformanceSuite.Check)
    }

    private func runStep(_ step: String, name: String, blob: [UInt8]) -> StepOutcome {
        func failure(_ detail: String) -> StepOutcome { .failed(.init(name: name, passed: false, detail: detail)) }
        let request: [UInt8]
        do {
            request = try ConformanceStepRequest(path: path, options: options, step: step, checkPermissions: checkPermissions, blob: blob).encoded()
        } catch {
            return failure("cannot encode the request: \(error)")
        }
        // The Swift runtime's backtrace of a crashed check process would bury the report
        // (the crash is the plugin's, and the FAIL line says where): off in the children.
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"
        let ending = PluginCallChild(executable: executable, arguments: arguments, environment: environment, timeout: timeout).run(request)
        let bytes: [UInt8]
        switch ending {
        case .notStarted(let why): return failure("cannot start the check process: \(why)")
        case .exitedWithoutReply(let status):
            return failure("the check process ended (exit status \(status)) without a reply; the plugin may have called exit()")
        case .crashed(_, let reply), .timedOut(_, let reply), .answered(let reply, _): bytes = reply
        }
        // The reply channel holds the trail of entry points the step entered, then its
        // reply: a crash, a hang or an exit is placed at the last entry point entered.
        let calls: [String]
        let reply: ConformanceStepReply?
        do {
            (calls, reply) = try ConformanceStepReply.decode(bytes)
        } catch {
            return failure("the check process sent an unreadable reply: \(error)")
        }
        let place = calls.last.map { " in \($0)" } ?? ""
        switch ending {
        case .crashed(let termination, _):
            return failure("the plugin crashed\(place) (check process \(termination))")
        case .timedOut(let termination, _):
            return failure("the plugin did not return\(place) within \(Self.format(timeout)) s (check process \(termination))")
        case .answered(_, let status):
            guard let reply else {
                return failure("the check process ended\(place) (exit status \(status)) without a reply; the plugin may have called exit()")
            }
            return .answered(reply)
        case .notStarted, .exitedWithoutReply:
            preconditionFailure("answered above")
        }
    }

    private static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }
}
