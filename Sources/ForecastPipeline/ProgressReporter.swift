#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Locking

/// Shows progress of concurrent tasks: a redrawn bar line on a terminal, plain log lines otherwise.
///
/// Writes to standard error so that `--json` output on standard output stays clean.
public final class ProgressReporter: Sendable {
    /// Where progress goes.
    public enum Mode: Sendable {
        /// A single line redrawn in place (a terminal).
        case bar
        /// One log line per start, quarter and finish (logs, CI).
        case lines
        /// Nothing.
        case silent
    }

    private struct Task {
        var label: String
        var done: Double
        var total: Double?
        var unit: String
        var lastQuarter: Int
    }

    private struct State {
        var tasks: [String: Task] = [:]
        var order: [String] = []
        var lastDraw: Double = 0
        var drawn = false
    }

    /// How this reporter shows progress.
    public let mode: Mode
    // Parallel training jobs report at once, so this lock is contended.
    private let shared = Locked(State())

    /// A reporter; `.bar` when standard error is a terminal, else `.lines`.
    public init(mode: Mode? = nil) {
        self.mode = mode ?? (isatty(STDERR_FILENO) == 1 ? .bar : .lines)
    }

    /// Announces a task with an optional total (bytes, rows, jobs).
    public func begin(_ id: String, label: String, total: Double?, unit: String = "") {
        withState { state in
            state.tasks[id] = Task(label: label, done: 0, total: total, unit: unit, lastQuarter: 0)
            if !state.order.contains(id) { state.order.append(id) }
        }
        if mode == .lines { emit("\(label): started\(total.map { " (\(Self.amount($0, unit: unit)))" } ?? "")") }
        redraw(force: true)
    }

    /// Updates a task's total (when it becomes known) and the amount done.
    public func update(_ id: String, done: Double, total: Double? = nil) {
        var line: String?
        withState { state in
            guard var task = state.tasks[id] else { return }
            task.done = done
            if let total { task.total = total }
            if mode == .lines, let whole = task.total, whole > 0 {
                let quarter = Int(min(done / whole, 1) * 4)
                if quarter > task.lastQuarter && quarter < 4 {
                    task.lastQuarter = quarter
                    line = "\(task.label): \(quarter * 25)% (\(Self.amount(done, unit: task.unit)) of \(Self.amount(whole, unit: task.unit)))"
                }
            }
            state.tasks[id] = task
        }
        if let line { emit(line) }
        redraw(force: false)
    }

    /// Marks a task finished with a closing message.
    public func finish(_ id: String, message: String) {
        let label = withState { state -> String in
            let label = state.tasks[id]?.label ?? id
            state.tasks[id] = nil
            state.order.removeAll { $0 == id }
            return label
        }
        switch mode {
        case .bar:
            clearLine()
            emit("\(label): \(message)")
            redraw(force: true)
        case .lines:
            emit("\(label): \(message)")
        case .silent:
            break
        }
    }

    /// Prints a line that is not about one task, keeping any bar below it.
    public func log(_ message: String) {
        guard mode != .silent else { return }
        if mode == .bar { clearLine() }
        emit(message)
        redraw(force: true)
    }

    /// Clears the bar line at the end.
    public func close() {
        if mode == .bar { clearLine() }
    }

    private func withState<Result>(_ body: (inout State) -> Result) -> Result {
        shared.withLock { body(&$0) }
    }

    private func redraw(force: Bool) {
        guard mode == .bar else { return }
        let now = Date().timeIntervalSince1970
        let text: String? = withState { state in
            guard force || now - state.lastDraw >= 0.1 else { return nil }
            state.lastDraw = now
            state.drawn = !state.order.isEmpty
            return state.order.compactMap { id -> String? in
                guard let task = state.tasks[id] else { return nil }
                guard let total = task.total, total > 0 else { return "\(task.label) \(Self.amount(task.done, unit: task.unit))" }
                let fraction = min(task.done / total, 1)
                let width = 20
                let filled = Int(fraction * Double(width))
                let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
                return "\(task.label) [\(bar)] \(Int(fraction * 100))%"
            }.joined(separator: "  ")
        }
        guard let text else { return }
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8))
    }

    private func clearLine() {
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }

    private func emit(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// `12.3 MB` for bytes, else the number and unit.
    static func amount(_ value: Double, unit: String) -> String {
        if unit == "B" {
            if value >= 1_000_000 { return String(format: "%.1f MB", value / 1_000_000) }
            if value >= 1000 { return String(format: "%.1f kB", value / 1000) }
            return "\(Int(value)) B"
        }
        return unit.isEmpty ? "\(Int(value))" : "\(Int(value)) \(unit)"
    }
}
