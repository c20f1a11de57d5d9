#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Dispatch
import Foundation
import Locking
import PluginABI
import PluginBinding

/// One plugin's serving worker, supervised: a `forecast serve-worker` process that loads
/// the plugin and runs its `load`, `forecast` and `condition` calls, so a crash, abort,
/// hang or memory blow-up in the plugin ends only that process.
///
/// Calls are sent one at a time, in order, from a serial queue of this object's own (never
/// from Swift's cooperative pool). Each has a time limit: past it the worker is killed.
/// A worker that dies (or is killed) is started again after a pause that doubles with each
/// failure in a row (``Settings/firstBackoff`` up to ``Settings/maximumBackoff``) and goes
/// back to the first pause after a call succeeds; while it is down, calls fail at once with
/// the reason. The host keeps every live model's blob (and, for a conditioned model, the
/// observations it was conditioned on since its file's end), so a restarted worker loads
/// and conditions the models again as they are used.
///
/// The process lives as long as this object: when the last reference goes (the model set
/// of an old generation, once its last request has finished), the queued calls have all
/// run, and the worker is told to exit.
public final class PluginWorker: @unchecked Sendable {
    // @unchecked: every `var` below is used on `queue` only; `state` has its own lock.

    /// Where the worker program is and what limits it runs under.
    public struct Settings: Sendable, Equatable {
        /// The program (normally this executable).
        public var executable: String
        /// Its arguments before the worker's own (for `forecast`: `serve-worker`).
        public var arguments: [String]
        /// Seconds one call may take before the worker is killed.
        public var callTimeout: Double
        /// Seconds a worker may take to start and load the plugin library.
        public var startTimeout: Double
        /// The worker's address-space limit in MiB (nil: none); past it allocations fail.
        public var memoryLimitMB: Int?
        /// The pause before the first restart, in seconds.
        public var firstBackoff: Double
        /// The longest pause between restarts, in seconds.
        public var maximumBackoff: Double

        /// Settings; see each property.
        public init(executable: String, arguments: [String] = ["serve-worker"], callTimeout: Double = 10,
                    startTimeout: Double = 30, memoryLimitMB: Int? = 2048, firstBackoff: Double = 0.5,
                    maximumBackoff: Double = 30) {
            self.executable = executable
            self.arguments = arguments
            self.callTimeout = callTimeout
            self.startTimeout = startTimeout
            self.memoryLimitMB = memoryLimitMB
            self.firstBackoff = firstBackoff
            self.maximumBackoff = maximumBackoff
        }
    }

    /// What the worker is doing.
    public enum State: Sendable, Equatable {
        /// Not started yet (it starts with the first call).
        case idle
        /// Running as this process.
        case running(pid: Int32)
        /// Dead or killed: why, and when (``ChildProcess`` monotonic seconds) it is started again.
        case down(reason: String, restartAt: Double)
    }

    /// The plugin's name.
    public let pluginName: String
    /// The plugin library the worker loads.
    public let path: String
    /// The limits.
    public let settings: Settings
    /// Counts shared with the plugin's other worker generations.
    public let statistics: WorkerStatistics

    private let queue: DispatchQueue
    private let state = Locked(State.idle)
    private var process: WorkerProcess?
    /// Model ids loaded in the current process.
    private var loaded: Set<Int> = []
    /// The blob of every live model, to load it again in a restarted process; for a
    /// conditioned model, the blob of the file it descends from.
    private var blobs: [Int: [UInt8]] = [:]
    /// For a conditioned model, every observation after its file's end that it was
    /// conditioned on, so a restarted process can rebuild it with one `condition` call.
    private var conditionedOn: [Int: TimeSeries] = [:]
    private var nextModel = 1
    private var failuresInARow = 0
    private var startedBefore = false

    /// A worker for `plugin`'s library at `path`; no process runs until the first call.
    public init(pluginName: String, path: String, settings: Settings, statistics: WorkerStatistics = WorkerStatistics()) {
        self.pluginName = pluginName
        self.path = path
        self.settings = settings
        self.statistics = statistics
        queue = DispatchQueue(label: "forecast.worker.\(pluginName)")
    }

    deinit {
        guard let process else { return }
        // Close our end (the worker exits at end of file) and reap it off this thread.
        let pid = process.pid
        close(process.socket.descriptor)
        Thread.detachNewThread {
            var status: Int32 = 0
            let deadline = ChildProcess.now() + 5
            while waitpid(pid, &status, WNOHANG) == 0 {
                if ChildProcess.now() >= deadline {
                    kill(pid, SIGKILL)
                    waitpid(pid, &status, 0)
                    return
                }
                usleep(10_000)
            }
        }
    }

    /// What the worker is doing now.
    public var currentState: State { state.withLock { $0 } }

    /// Why the worker cannot answer now (down and waiting to restart), or nil.
    public var unavailableReason: String? {
        guard case .down(let reason, let restartAt) = currentState else { return nil }
        let wait = max(0, restartAt - ChildProcess.now())
        return "\(reason); restarting in \(Self.seconds(wait)) s"
    }

    /// Whole seconds until the worker's next restart (at least 1), while it is down: the
    /// `Retry-After` of its routes' 503s.
    public var retryAfterSeconds: Int? {
        guard case .down(_, let restartAt) = currentState else { return nil }
        return max(1, Int((restartAt - ChildProcess.now()).rounded(.up)))
    }

    /// The worker's resident memory in bytes, while it runs.
    public var residentBytes: Int? {
        guard case .running(let pid) = currentState else { return nil }
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// Loads `blob` as a model, starting the worker if needed (even while it waits to
    /// restart: loading is a reload's, which the operator asked for). Blocks until done.
    public func loadModel(_ blob: [UInt8]) throws(WorkerError) -> WorkerModel {
        let result: Result<Int, WorkerError> = queue.sync {
            let id = nextModel
            nextModel += 1
            blobs[id] = blob
            do throws(WorkerError) {
                try ensureLoaded(id, restartNow: true)
                return .success(id)
            } catch {
                blobs[id] = nil
                return .failure(error)
            }
        }
        return WorkerModel(id: try result.get(), worker: self)
    }

    /// Forecasts `horizon` steps at `level` with `model`, without blocking the caller's thread.
    public func forecast(_ model: WorkerModel, horizon: Int, level: Double) async throws(WorkerError) -> ForecastOutput {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<ForecastOutput, WorkerError>, Never>) in
            queue.async {
                continuation.resume(returning: Result { () throws(WorkerError) in
                    try self.performForecast(model.id, horizon: horizon, level: level)
                })
            }
        }
        return try result.get()
    }

    /// ``forecast(_:horizon:level:)``, blocking until done (for checks while loading).
    public func forecastNow(_ model: WorkerModel, horizon: Int, level: Double) throws(WorkerError) -> ForecastOutput {
        let result: Result<ForecastOutput, WorkerError> = queue.sync {
            Result { () throws(WorkerError) in try performForecast(model.id, horizon: horizon, level: level) }
        }
        return try result.get()
    }

    /// Conditions `model` on `newer` into a new model (blocking).
    ///
    /// The new model survives a worker restart: it is rebuilt from its file's blob and
    /// every observation it was conditioned on since the file's end.
    public func condition(_ model: WorkerModel, on newer: TimeSeries) throws(WorkerError) -> WorkerModel {
        let result: Result<Int, WorkerError> = queue.sync {
            Result { () throws(WorkerError) in try performCondition(model.id, on: newer) }
        }
        return WorkerModel(id: try result.get(), worker: self)
    }

    /// Trains a throw-away model on `series` in the worker and forecasts `horizon` steps at
    /// each of `levels` (``SeriesForecast``), without blocking the caller's thread. A
    /// training that passes ``Settings/callTimeout`` kills the worker like any call.
    public func trainAndForecast(_ series: TimeSeries, options: String, horizon: Int,
                                 levels: [Double]) async throws(WorkerError) -> SeriesForecast.Output {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<SeriesForecast.Output, WorkerError>, Never>) in
            queue.async {
                continuation.resume(returning: Result { () throws(WorkerError) in
                    var header = WorkerMessage.Header(op: .train)
                    header.startTime = series.startTime
                    header.stepSeconds = series.stepSeconds
                    header.horizon = horizon
                    header.levels = levels
                    header.options = options
                    let reply = try self.exchange(WorkerMessage(header: header, payload: WorkerMessage.bytes(of: series.values)),
                                                  operation: "train")
                    guard let forecasts = SeriesForecast.forecasts(in: reply.payload, horizon: horizon, levels: levels.count) else {
                        throw .plugin(PluginCallError(plugin: self.pluginName, operation: "train", status: FP_STATUS_INTERNAL,
                                                      message: "the worker sent \(reply.payload.count) bytes for \(levels.count) levels of \(horizon) steps"))
                    }
                    return SeriesForecast.Output(summaryJSON: reply.header.summary ?? "{}", trainingSeconds: reply.header.seconds ?? 0,
                                                 forecasts: forecasts)
                })
            }
        }
        return try result.get()
    }

    /// Forgets model `id` here and in the worker (queued after the calls before it).
    func release(_ id: Int) {
        queue.async {
            self.blobs[id] = nil
            self.conditionedOn[id] = nil
            guard self.loaded.remove(id) != nil, self.process != nil else { return }
            var header = WorkerMessage.Header(op: .release)
            header.model = id
            _ = try? self.exchange(WorkerMessage(header: header), operation: "release", counted: false)
        }
    }

    // MARK: On the queue

    private func performCondition(_ source: Int, on newer: TimeSeries) throws(WorkerError) -> Int {
        try ensureLoaded(source, restartNow: false)
        let id = nextModel
        nextModel += 1
        try sendCondition(source, into: id, newer)
        loaded.insert(id)
        blobs[id] = blobs[source]
        if let earlier = conditionedOn[source], earlier.lastTime + earlier.stepSeconds == newer.startTime,
           earlier.stepSeconds == newer.stepSeconds {
            conditionedOn[id] = TimeSeries(values: earlier.values + newer.values, startTime: earlier.startTime,
                                           stepSeconds: earlier.stepSeconds)
        } else {
            conditionedOn[id] = newer
        }
        return id
    }

    private func sendCondition(_ source: Int, into id: Int, _ newer: TimeSeries) throws(WorkerError) {
        var header = WorkerMessage.Header(op: .condition)
        header.model = source
        header.newModel = id
        header.startTime = newer.startTime
        header.stepSeconds = newer.stepSeconds
        _ = try exchange(WorkerMessage(header: header, payload: WorkerMessage.bytes(of: newer.values)), operation: "condition")
    }

    private func performForecast(_ id: Int, horizon: Int, level: Double) throws(WorkerError) -> ForecastOutput {
        try ensureLoaded(id, restartNow: false)
        var header = WorkerMessage.Header(op: .forecast)
        header.model = id
        header.horizon = horizon
        header.level = level
        let reply = try exchange(WorkerMessage(header: header), operation: "forecast")
        let values = WorkerMessage.doubles(in: reply.payload[...])
        guard values.count == 3 * horizon else {
            throw .plugin(PluginCallError(plugin: pluginName, operation: "forecast", status: FP_STATUS_INTERNAL,
                                          message: "the worker sent \(values.count) values for a horizon of \(horizon)"))
        }
        return ForecastOutput(mean: Array(values[0..<horizon]), lower: Array(values[horizon..<2 * horizon]),
                              upper: Array(values[(2 * horizon)...]))
    }

    private func ensureLoaded(_ id: Int, restartNow: Bool) throws(WorkerError) {
        if process != nil && loaded.contains(id) { return }
        guard let blob = blobs[id] else {
            throw .unavailable(plugin: pluginName, reason: "model \(id) was released")
        }
        if process == nil { try start(ignoringBackoff: restartNow) }
        var header = WorkerMessage.Header(op: .load)
        guard let observations = conditionedOn[id] else {
            header.model = id
            _ = try exchange(WorkerMessage(header: header, payload: blob), operation: "load")
            loaded.insert(id)
            return
        }
        // A conditioned model lost in a restart: load its file's blob under a temporary id,
        // condition that on everything since, and drop the temporary model.
        let file = nextModel
        nextModel += 1
        header.model = file
        _ = try exchange(WorkerMessage(header: header, payload: blob), operation: "load")
        loaded.insert(file)
        defer {
            loaded.remove(file)
            if process != nil {
                var release = WorkerMessage.Header(op: .release)
                release.model = file
                _ = try? exchange(WorkerMessage(header: release), operation: "release", counted: false)
            }
        }
        try sendCondition(file, into: id, observations)
        loaded.insert(id)
    }

    /// Starts the process and reads its hello.
    private func start(ignoringBackoff: Bool) throws(WorkerError) {
        if !ignoringBackoff, let reason = unavailableReason, case .down(_, let at) = currentState, ChildProcess.now() < at {
            throw .unavailable(plugin: pluginName, reason: "the worker is down: \(reason)")
        }
        if startedBefore { statistics.update { $0.restarts += 1 } }
        startedBefore = true
        var arguments = settings.arguments + ["--plugin", path]
        if let limit = settings.memoryLimitMB { arguments += ["--memory-limit-mb", String(limit)] }
        let started: WorkerProcess
        do throws(ChildProcessError) {
            started = try WorkerProcess(executable: settings.executable, arguments: arguments)
        } catch {
            throw goneDown("the worker cannot start: \(error.description)", termination: nil)
        }
        let hello: WorkerMessage
        do throws(WorkerSocket.Failure) {
            hello = try started.socket.receive(deadline: ChildProcess.now() + settings.startTimeout)
        } catch {
            let termination = error == .timedOut ? started.kill() : (started.waitForExit(until: ChildProcess.now() + 2) ?? started.kill())
            let why = error == .timedOut ? "the worker did not start within \(Self.seconds(settings.startTimeout)) s"
                : "the worker died while loading the plugin library"
            throw goneDown(why, termination: termination)
        }
        guard hello.header.ok == true else {
            let termination = started.terminate(grace: 2)
            throw goneDown(hello.header.message ?? "the worker refused to start", termination: termination)
        }
        guard hello.header.name == pluginName else {
            let termination = started.terminate(grace: 2)
            throw goneDown("\(path) is now plugin '\(hello.header.name ?? "?")', not '\(pluginName)'", termination: termination)
        }
        process = started
        loaded = []
        state.withLock { $0 = .running(pid: started.pid) }
    }

    /// Sends `request`, returns the worker's successful reply; a plugin error is `.plugin`,
    /// a dead or hung worker is killed, marked down and `.unavailable`.
    private func exchange(_ request: WorkerMessage, operation: String, counted: Bool = true) throws(WorkerError) -> WorkerMessage {
        if process == nil { try start(ignoringBackoff: false) }
        guard let process else { throw .unavailable(plugin: pluginName, reason: "the worker is not running") }
        if counted { statistics.update { $0.calls += 1 } }
        let deadline = ChildProcess.now() + settings.callTimeout
        let reply: WorkerMessage
        do throws(WorkerSocket.Failure) {
            try process.socket.send(request, deadline: deadline)
            reply = try process.socket.receive(deadline: deadline)
        } catch {
            switch error {
            case .timedOut:
                statistics.update { $0.timeouts += 1 }
                throw goneDown("\(operation) did not answer within \(Self.seconds(settings.callTimeout)) s, so the worker was killed",
                               termination: process.kill())
            case .closed:
                statistics.update { $0.crashes += 1 }
                throw goneDown("the plugin crashed in \(operation)",
                               termination: process.waitForExit(until: ChildProcess.now() + 2) ?? process.kill())
            case .broken(let message):
                throw goneDown("the worker broke the protocol in \(operation) (\(message))", termination: process.kill())
            }
        }
        guard reply.header.op == request.header.op else {
            throw goneDown("the worker answered \(reply.header.op.rawValue) to \(operation)", termination: process.kill())
        }
        failuresInARow = 0
        guard reply.header.ok == true else {
            throw .plugin(PluginCallError(plugin: pluginName, operation: operation, status: reply.header.status ?? FP_STATUS_INTERNAL,
                                          message: reply.header.message ?? "the plugin gave no message"))
        }
        return reply
    }

    /// Records that the worker is gone, schedules its restart, and returns the error to throw.
    private func goneDown(_ why: String, termination: ChildProcess.Termination?) -> WorkerError {
        if let process { close(process.socket.descriptor) }
        process = nil
        loaded = []
        failuresInARow += 1
        let pause = min(settings.firstBackoff * pow(2, Double(failuresInARow - 1)), settings.maximumBackoff)
        let reason = termination.map { "\(why) (worker \($0))" } ?? why
        state.withLock { $0 = .down(reason: reason, restartAt: ChildProcess.now() + pause) }
        queue.asyncAfter(deadline: .now() + pause) { [weak self] in self?.restartIfDown() }
        return .unavailable(plugin: pluginName, reason: reason)
    }

    /// Starts the worker again once its pause is over, so it serves before the next call comes.
    private func restartIfDown() {
        guard process == nil, case .down(_, let at) = currentState, ChildProcess.now() >= at - 0.001 else { return }
        try? start(ignoringBackoff: true)
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }
}

/// A model loaded in a ``PluginWorker``: forecasts go to the worker; releasing the last
/// reference releases it there.
public final class WorkerModel: Sendable {
    /// The model's id within its worker.
    let id: Int
    /// The worker holding it.
    public let worker: PluginWorker

    init(id: Int, worker: PluginWorker) {
        self.id = id
        self.worker = worker
    }

    deinit {
        worker.release(id)
    }

    /// Forecasts `horizon` steps with central intervals at `level`, in the worker.
    public func forecast(horizon: Int, level: Double) async throws(WorkerError) -> ForecastOutput {
        try await worker.forecast(self, horizon: horizon, level: level)
    }
}
