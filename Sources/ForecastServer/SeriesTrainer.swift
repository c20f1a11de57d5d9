import Dispatch
import Foundation
import Locking
import PluginABI
import PluginBinding
import PluginProcesses

/// Trains and forecasts the series of `POST /{route}/forecast` where the route's plugin
/// code runs: in a worker process when the plugin is isolated, else in this process on a
/// thread of its own (never on Swift's cooperative pool). Nothing is stored.
///
/// Isolated plugins get a training worker of their own, apart from the worker that serves
/// their stored models, so a long or crashing training never delays or takes down GET
/// forecasts. Its call time limit is ``SeriesLimits/trainingSeconds``: a training past it
/// is killed with its worker, which restarts for the next request.
final class SeriesTrainer: Sendable {
    /// The limits enforced.
    let limits: SeriesLimits
    /// Bounds the trainings running and waiting.
    let queue: TrainingQueue
    private let workerSettings: PluginWorker.Settings?
    private let workers = Locked([String: PluginWorker]())

    init(limits: SeriesLimits, workerSettings: PluginWorker.Settings?) {
        self.limits = limits
        queue = TrainingQueue(running: limits.concurrentTrainings, waiting: limits.queuedRequests)
        self.workerSettings = workerSettings.map { settings in
            var settings = settings
            settings.callTimeout = limits.trainingSeconds
            settings.firstBackoff = 0.05
            settings.maximumBackoff = 1
            return settings
        }
    }

    /// The training worker of `plugin`, started on first use.
    private func worker(for plugin: LoadedPlugin, settings: PluginWorker.Settings) -> PluginWorker {
        workers.withLock { workers in
            if let worker = workers[plugin.name] { return worker }
            let worker = PluginWorker(pluginName: plugin.name, path: plugin.path, settings: settings)
            workers[plugin.name] = worker
            return worker
        }
    }

    /// Trains `plugin` on `series` with `options` and forecasts `horizon` steps at `levels`,
    /// in its training worker when `isolated`. Throws the 422/500/503 that says why not.
    /// `slot` is the request's training slot; an in-process training that outlives its
    /// answer holds it until it ends.
    func run(plugin: LoadedPlugin, isolated: Bool, series: TimeSeries, options: String, horizon: Int,
             levels: [Double], label: String, slot: TrainingQueue.Slot) async throws(APIError) -> SeriesForecast.Output {
        let started = DispatchTime.now()
        func elapsed() -> Double { Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9 }
        if isolated, let workerSettings {
            do {
                return try await worker(for: plugin, settings: workerSettings)
                    .trainAndForecast(series, options: options, horizon: horizon, levels: levels)
            } catch {
                switch error {
                case .plugin(let failure): throw Self.apiError(failure, label: label, limit: limits.trainingSeconds)
                case .unavailable(_, let reason):
                    if elapsed() >= limits.trainingSeconds { throw timeLimit(label) }
                    throw APIError(.serviceUnavailable, code: "plugin_unavailable", message: "\(label): the training worker of plugin '\(plugin.name)' failed: \(reason)",
                                   headers: [.retryAfter: String(limits.retryAfterSeconds)])
                }
            }
        }
        return try await inProcess(plugin: plugin, series: series, options: options, horizon: horizon, levels: levels,
                                   label: label, slot: slot)
    }

    /// The in-process training: answered at the time limit at the latest, while the plugin
    /// is asked to cancel and the training finishes on its own thread.
    private func inProcess(plugin: LoadedPlugin, series: TimeSeries, options: String, horizon: Int,
                           levels: [Double], label: String, slot: TrainingQueue.Slot) async throws(APIError) -> SeriesForecast.Output {
        let observer = TrainingObserver()
        let answered = Locked(false)
        let limit = limits.trainingSeconds
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<SeriesForecast.Output, PluginCallError>?, Never>) in
            let answer: @Sendable (Result<SeriesForecast.Output, PluginCallError>?) -> Void = { value in
                let first = answered.withLock { done in
                    defer { done = true }
                    return !done
                }
                if first { continuation.resume(returning: value) }
            }
            // Two threads of their own, not Dispatch's or Swift's pools (which other work can
            // fill, delaying the deadline): one trains, one waits for it until the limit.
            let finished = DispatchSemaphore(value: 0)
            slot.hold()
            Thread.detachNewThread {
                let result = Result { () throws(PluginCallError) in
                    try SeriesForecast.run(plugin: plugin, series: series, options: options, horizon: horizon,
                                           levels: levels, observer: observer)
                }
                slot.done()
                finished.signal()
                answer(result)
            }
            Thread.detachNewThread {
                if finished.wait(timeout: .now() + limit) == .timedOut {
                    observer.cancel()
                    answer(nil)
                }
            }
        }
        guard let result else { throw timeLimit(label) }
        do {
            return try result.get()
        } catch {
            throw Self.apiError(error, label: label, limit: limit)
        }
    }

    private func timeLimit(_ label: String) -> APIError {
        APIError(.unprocessableContent, code: "training_time_limit",
                 message: "\(label): training took longer than the limit of \(JSONText.number(limits.trainingSeconds)) s per series; send a shorter series")
    }

    /// A plugin's refusal as the answer: what the caller's data caused is 422, the rest 500.
    static func apiError(_ error: PluginCallError, label: String, limit: Double) -> APIError {
        switch error.status {
        case FP_STATUS_CANCELLED:
            return APIError(.unprocessableContent, code: "training_time_limit",
                            message: "\(label): training took longer than the limit of \(JSONText.number(limit)) s per series; send a shorter series")
        case FP_STATUS_INSUFFICIENT_DATA, FP_STATUS_INVALID_DATA, FP_STATUS_NUMERICAL, FP_STATUS_INVALID_ARGUMENT, FP_STATUS_OUT_OF_MEMORY:
            return APIError(.unprocessableContent, code: "training_failed", message: "\(label): the plugin could not train on it: \(error)")
        default:
            return APIError(.internalServerError, code: "forecast_failed", message: "\(label): \(error)")
        }
    }
}
