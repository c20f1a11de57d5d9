import PluginBinding
import PluginProcesses

/// A loaded model as the server calls it: in this process, or in its plugin's worker.
public enum ServedModel: Sendable {
    /// Loaded in the server process (`"isolation": "in-process"`).
    case inProcess(PluginModel)
    /// Loaded in the plugin's supervised worker process.
    case worker(WorkerModel)

    /// The worker answering for this model, if it runs in one.
    public var worker: PluginWorker? {
        if case .worker(let model) = self { return model.worker }
        return nil
    }

    /// Forecasts `horizon` steps at `level`; in a worker, without holding a thread meanwhile.
    public func forecast(horizon: Int, level: Double) async throws(WorkerError) -> ForecastOutput {
        switch self {
        case .inProcess(let model):
            do throws(PluginCallError) {
                return try model.forecast(horizon: horizon, level: level)
            } catch {
                throw .plugin(error)
            }
        case .worker(let model):
            return try await model.forecast(horizon: horizon, level: level)
        }
    }

    /// ``forecast(horizon:level:)``, blocking: for the checks made while models load.
    func forecastNow(horizon: Int, level: Double) throws(WorkerError) -> ForecastOutput {
        switch self {
        case .inProcess(let model):
            do throws(PluginCallError) {
                return try model.forecast(horizon: horizon, level: level)
            } catch {
                throw .plugin(error)
            }
        case .worker(let model):
            return try model.worker.forecastNow(model, horizon: horizon, level: level)
        }
    }

    /// A model with the same parameters that forecasts from the end of `newer` (the ABI's
    /// `condition`), in the same process or worker as this one. Blocks until done: called
    /// while models load and from the server's conditioning queue, never from a request task.
    func conditionedNow(on newer: TimeSeries) throws(WorkerError) -> ServedModel {
        switch self {
        case .inProcess(let model):
            do throws(PluginCallError) {
                return .inProcess(try model.conditioned(on: newer))
            } catch {
                throw .plugin(error)
            }
        case .worker(let model):
            return .worker(try model.worker.condition(model, on: newer))
        }
    }
}
