import Foundation
import PluginBinding

/// Trains a throw-away model on a caller's series and forecasts it at several levels: what
/// `POST /{route}/forecast` asks of a plugin, in the server process or in a worker
/// (``ServeWorker``'s `train` message). Nothing is stored; the model is released at once.
public enum SeriesForecast {
    /// What one series gave.
    public struct Output: Sendable, Equatable {
        /// The plugin's fit summary (JSON object text).
        public var summaryJSON: String
        /// Wall time of the train call, in seconds.
        public var trainingSeconds: Double
        /// One forecast per level asked, in order.
        public var forecasts: [ForecastOutput]

        /// Creates an output.
        public init(summaryJSON: String, trainingSeconds: Double, forecasts: [ForecastOutput]) {
            self.summaryJSON = summaryJSON
            self.trainingSeconds = trainingSeconds
            self.forecasts = forecasts
        }
    }

    /// Trains `plugin` on `series` with `options`, loads the model and forecasts `horizon`
    /// steps at each of `levels`. `observer` lets the caller cancel the training.
    public static func run(plugin: LoadedPlugin, series: TimeSeries, options: String, horizon: Int, levels: [Double],
                           observer: TrainingObserver = TrainingObserver()) throws(PluginCallError) -> Output {
        let started = Date()
        let trained = try plugin.train(series, options: options, observer: observer)
        let seconds = Date().timeIntervalSince(started)
        let model = try plugin.loadModel(trained.blob)
        var forecasts: [ForecastOutput] = []
        for level in levels {
            forecasts.append(try model.forecast(horizon: horizon, level: level))
        }
        return Output(summaryJSON: trained.summaryJSON, trainingSeconds: seconds, forecasts: forecasts)
    }

    /// The forecasts as one payload: per level, mean then lower then upper.
    public static func payload(_ forecasts: [ForecastOutput]) -> [UInt8] {
        WorkerMessage.bytes(of: forecasts.flatMap { $0.mean + $0.lower + $0.upper })
    }

    /// The forecasts in a payload of `levels` levels of `horizon` steps, or nil when its size is wrong.
    public static func forecasts(in payload: [UInt8], horizon: Int, levels: Int) -> [ForecastOutput]? {
        let values = WorkerMessage.doubles(in: payload[...])
        guard horizon > 0, values.count == 3 * horizon * levels else { return nil }
        return (0..<levels).map { index in
            let base = 3 * horizon * index
            return ForecastOutput(mean: Array(values[base..<(base + horizon)]),
                                  lower: Array(values[(base + horizon)..<(base + 2 * horizon)]),
                                  upper: Array(values[(base + 2 * horizon)..<(base + 3 * horizon)]))
        }
    }
}
