import Foundation
import PluginHost

/// Rolling-origin evaluation of one plugin on one series.
///
/// Origins are placed `step` hours apart, the last one `horizon` hours before the end
/// of the series, so every forecast can be scored against what was observed. From each
/// origin the model forecasts `horizon` hours using only data before the origin:
/// - `condition` mode (the plugin offers `condition`): fit once on the data before the
///   earliest origin, then condition that model on the data up to each origin;
/// - `refit` mode (otherwise): fit a new model on all data before each origin.
/// Errors are pooled per horizon band (hours 1-24, 25-48, 49-72) into MAE and RMSE,
/// and the share of observations inside the forecast interval is the coverage.
public struct Backtester: Sendable {
    /// Number of forecast origins.
    public var origins: Int
    /// Hours between origins.
    public var step: Int
    /// Hours forecast from each origin.
    public var horizon: Int
    /// Interval level (e.g. 0.95).
    public var level: Double
    /// Force refitting even when the plugin can condition.
    public var forceRefit: Bool

    /// Creates a backtest.
    public init(origins: Int = 8, step: Int = 168, horizon: Int = 72, level: Double = 0.95, forceRefit: Bool = false) {
        self.origins = origins
        self.step = step
        self.horizon = horizon
        self.level = level
        self.forceRefit = forceRefit
    }

    /// The result: metrics per band and what was done.
    public struct Report: Sendable, Codable, Equatable {
        /// Plugin name.
        public var plugin: String
        /// City.
        public var city: String
        /// Variable.
        public var variable: String
        /// `condition` or `refit`.
        public var mode: String
        /// Origins evaluated.
        public var origins: Int
        /// Times of the origins (first forecast hour, Unix seconds).
        public var originTimes: [Int64]
        /// Hours forecast from each origin.
        public var horizon: Int
        /// Interval level.
        public var level: Double
        /// Mean absolute error per band (`1-24`, `25-48`, `49-72`).
        public var mae: [String: Double]
        /// Root mean squared error per band.
        public var rmse: [String: Double]
        /// Share of observations inside the interval, per band.
        public var coverage: [String: Double]
    }

    /// The band label of a 1-based horizon step (`1-24`, `25-48`, ...).
    public static func band(of step: Int) -> String {
        let index = (step - 1) / 24
        return "\(index * 24 + 1)-\(index * 24 + 24)"
    }

    /// Evaluates `plugin` on `series` with `options`.
    public func run(plugin: LoadedPlugin, series: TimeSeries, options: String, city: String,
                    variable: Variable, log: (String) -> Void = { _ in }) throws(PipelineError) -> Report {
        guard origins >= 1, step >= 1, horizon >= 1 else {
            throw PipelineError(.usage, "--origins, --step and --horizon must be at least 1")
        }
        let n = series.count
        let lastOrigin = n - horizon
        let firstOrigin = lastOrigin - (origins - 1) * step
        guard firstOrigin >= 2 else {
            throw PipelineError(.usage, "the series has \(n) hours: too short for \(origins) origins \(step) h apart with a \(horizon) h horizon (needs more than \((origins - 1) * step + horizon) hours); lower --origins or --step")
        }
        let conditioning = plugin.supportsConditioning && !forceRefit
        var base: PluginModel?
        if conditioning {
            log("fitting \(plugin.name) once on \(firstOrigin) hours, then conditioning at each origin")
            base = try fit(plugin, series.slice(0..<firstOrigin), options: options)
        } else {
            log("refitting \(plugin.name) at each of \(origins) origins (the plugin does not offer conditioning)")
        }
        var absolute: [String: Double] = [:], squared: [String: Double] = [:], inside: [String: Double] = [:], counts: [String: Double] = [:]
        var originTimes: [Int64] = []
        for k in 0..<origins {
            let origin = firstOrigin + k * step
            let model: PluginModel
            if let base {
                do {
                    model = try base.conditioned(on: series.slice(firstOrigin..<origin))
                } catch {
                    throw PipelineError(.model, "\(plugin.name) cannot condition on the data up to origin \(k + 1): \(error)")
                }
            } else {
                model = try fit(plugin, series.slice(0..<origin), options: options)
            }
            let forecast: ForecastOutput
            do {
                forecast = try model.forecast(horizon: horizon, level: level)
            } catch {
                throw PipelineError(.model, "\(plugin.name) forecast from origin \(k + 1) failed: \(error)")
            }
            originTimes.append(series.startTime + Int64(origin) * series.stepSeconds)
            for h in 1...horizon {
                let actual = series.values[origin + h - 1]
                let error = actual - forecast.mean[h - 1]
                let band = Self.band(of: h)
                absolute[band, default: 0] += abs(error)
                squared[band, default: 0] += error * error
                inside[band, default: 0] += (forecast.lower[h - 1] <= actual && actual <= forecast.upper[h - 1]) ? 1 : 0
                counts[band, default: 0] += 1
            }
            log("origin \(k + 1)/\(origins) at \(Timestamp.format(originTimes.last!)) done")
        }
        var mae: [String: Double] = [:], rmse: [String: Double] = [:], coverage: [String: Double] = [:]
        for (band, count) in counts {
            mae[band] = absolute[band]! / count
            rmse[band] = (squared[band]! / count).squareRoot()
            coverage[band] = inside[band]! / count
        }
        return Report(plugin: plugin.name, city: city, variable: variable.rawValue, mode: conditioning ? "condition" : "refit",
                      origins: origins, originTimes: originTimes, horizon: horizon, level: level,
                      mae: mae, rmse: rmse, coverage: coverage)
    }

    private func fit(_ plugin: LoadedPlugin, _ series: TimeSeries, options: String) throws(PipelineError) -> PluginModel {
        do {
            let output = try plugin.train(series, options: options)
            return try plugin.loadModel(output.blob)
        } catch {
            throw PipelineError(.model, "\(plugin.name) cannot fit \(series.count) hours ending \(Timestamp.format(series.lastTime)): \(error)")
        }
    }
}
