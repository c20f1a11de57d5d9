import Foundation
import PluginBinding

/// Rolling-origin evaluation of one plugin on one series.
///
/// Origins are placed `step` hours apart, the last one `horizon` hours before the end
/// of the series, so every forecast can be scored against what was observed; or they
/// are given explicitly (`originTimes`), e.g. to keep them away from the joins of a
/// typical-year file. From each origin the model forecasts `horizon` hours using only
/// data before the origin:
/// - `condition` mode (the plugin offers `condition`): fit once on the data before the
///   earliest origin, then condition that model on the data up to each origin;
/// - `refit` mode (otherwise): fit a new model on all data before each origin.
/// Errors are pooled per horizon band (hours 1-24, 25-48, 49-72) into MAE and RMSE.
/// For every interval level, the share of observations inside the interval is the
/// coverage, and Winkler's interval score (width, plus 2/alpha times the distance by
/// which the observation falls outside) rewards narrow intervals only when they still
/// cover, so a too-wide interval cannot buy its coverage for free.
public struct Backtester: Sendable {
    /// Number of forecast origins (ignored when `originTimes` is given).
    public var origins: Int
    /// Hours between origins (ignored when `originTimes` is given).
    public var step: Int
    /// Hours forecast from each origin.
    public var horizon: Int
    /// The interval levels scored (e.g. `[0.95, 0.8]`); the first is the report's `level`.
    public var levels: [Double]
    /// Force refitting even when the plugin can condition.
    public var forceRefit: Bool
    /// Explicit origins: the time of each origin's first forecast hour (Unix seconds), increasing.
    public var originTimes: [Int64]?
    /// Whether the report carries every origin's forecast beside what was observed.
    public var includeForecasts: Bool

    /// The first interval level.
    public var level: Double { levels.first ?? 0.95 }

    /// Creates a backtest; `levels`, when given, replaces `level`.
    public init(origins: Int = 8, step: Int = 168, horizon: Int = 72, level: Double = 0.95, levels: [Double]? = nil,
                forceRefit: Bool = false, originTimes: [Int64]? = nil, includeForecasts: Bool = false) {
        self.origins = origins
        self.step = step
        self.horizon = horizon
        self.levels = levels ?? [level]
        self.forceRefit = forceRefit
        self.originTimes = originTimes
        self.includeForecasts = includeForecasts
    }

    /// One origin's forecast and what was observed after it.
    public struct OriginForecast: Sendable, Codable, Equatable {
        /// The first forecast hour (Unix seconds).
        public var time: Int64
        /// What was observed, one per forecast hour; NaN where the hour is missing (JSON null).
        public var actual: [Double]
        /// Point forecasts.
        public var mean: [Double]
        /// Lower interval bounds per level (keyed like `coverageByLevel`).
        public var lower: [String: [Double]]
        /// Upper interval bounds per level.
        public var upper: [String: [Double]]

        public init(time: Int64, actual: [Double], mean: [Double], lower: [String: [Double]], upper: [String: [Double]]) {
            self.time = time
            self.actual = actual
            self.mean = mean
            self.lower = lower
            self.upper = upper
        }

        private enum CodingKeys: String, CodingKey { case time, actual, mean, lower, upper }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            time = try container.decode(Int64.self, forKey: .time)
            actual = try container.decode([Double?].self, forKey: .actual).map { $0 ?? .nan }
            mean = try container.decode([Double].self, forKey: .mean)
            lower = try container.decode([String: [Double]].self, forKey: .lower)
            upper = try container.decode([String: [Double]].self, forKey: .upper)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(time, forKey: .time)
            try container.encode(actual.map { $0.isFinite ? $0 : nil }, forKey: .actual)
            try container.encode(mean, forKey: .mean)
            try container.encode(lower, forKey: .lower)
            try container.encode(upper, forKey: .upper)
        }

        public static func == (a: Self, b: Self) -> Bool {
            a.time == b.time && a.mean == b.mean && a.lower == b.lower && a.upper == b.upper
                && a.actual.count == b.actual.count
                && zip(a.actual, b.actual).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
        }
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
        /// The first interval level (the one `coverage` is for).
        public var level: Double
        /// Every interval level scored.
        public var levels: [Double]
        /// Hours of data the (first) fit saw.
        public var trainingHours: Int
        /// Mean absolute error per band (`1-24`, `25-48`, `49-72`).
        public var mae: [String: Double]
        /// Root mean squared error per band.
        public var rmse: [String: Double]
        /// Share of observations inside the `level` interval, per band.
        public var coverage: [String: Double]
        /// Coverage per level (keyed by `levelKey`, e.g. `0.95`), then per band.
        public var coverageByLevel: [String: [String: Double]]
        /// Mean Winkler interval score per level, then per band (lower is better).
        public var winkler: [String: [String: Double]]
        /// Mean absolute error per lead time (index 0 is hour 1); nil for a lead no origin has an observation at.
        public var maeByLead: [Double?]
        /// Seconds spent in train (once in condition mode, summed over origins in refit mode).
        public var fitSeconds: Double
        /// Seconds spent conditioning, summed over origins.
        public var conditionSeconds: Double
        /// Seconds spent forecasting, summed over origins and levels.
        public var forecastSeconds: Double
        /// Every origin's forecast, when asked for.
        public var forecasts: [OriginForecast]?
    }

    /// The band label of a 1-based horizon step (`1-24`, `25-48`, ...).
    public static func band(of step: Int) -> String {
        let index = (step - 1) / 24
        return "\(index * 24 + 1)-\(index * 24 + 24)"
    }

    /// The key of an interval level in the report's per-level maps: `0.95`, `0.8`.
    public static func levelKey(_ level: Double) -> String {
        String(format: "%g", level)
    }

    /// Winkler's interval score of one observation for a central `level` interval.
    public static func winklerScore(actual: Double, lower: Double, upper: Double, level: Double) -> Double {
        let alpha = 1 - level
        var score = upper - lower
        if actual < lower { score += 2 / alpha * (lower - actual) }
        if actual > upper { score += 2 / alpha * (actual - upper) }
        return score
    }

    /// The origin indices into `series`: explicit times, or `origins` of them `step` apart ending `horizon` before the end.
    func originIndices(for series: TimeSeries) throws(PipelineError) -> [Int] {
        let n = series.count
        guard horizon >= 1 else { throw PipelineError(.usage, "--horizon must be at least 1") }
        guard let originTimes else {
            guard origins >= 1, step >= 1 else {
                throw PipelineError(.usage, "--origins, --step and --horizon must be at least 1")
            }
            let lastOrigin = n - horizon
            let firstOrigin = lastOrigin - (origins - 1) * step
            guard firstOrigin >= 2 else {
                throw PipelineError(.usage, "the series has \(n) hours: too short for \(origins) origins \(step) h apart with a \(horizon) h horizon (needs more than \((origins - 1) * step + horizon) hours); lower --origins or --step")
            }
            return (0..<origins).map { firstOrigin + $0 * step }
        }
        guard !originTimes.isEmpty else { throw PipelineError(.usage, "no origin times given") }
        var indices: [Int] = []
        for time in originTimes {
            let offset = time - series.startTime
            guard offset % series.stepSeconds == 0 else {
                throw PipelineError(.usage, "origin \(Timestamp.format(time)) is not on the series' hourly grid")
            }
            let index = Int(offset / series.stepSeconds)
            guard index >= 2, index + horizon <= n else {
                throw PipelineError(.usage, "origin \(Timestamp.format(time)) is outside the series (\(Timestamp.format(series.startTime)) to \(Timestamp.format(series.lastTime))): it needs at least 2 hours before it and \(horizon) observed hours from it")
            }
            if let previous = indices.last, index <= previous {
                throw PipelineError(.usage, "origin times must increase; \(Timestamp.format(time)) does not")
            }
            indices.append(index)
        }
        return indices
    }

    /// Evaluates `plugin` on `series` with `options`.
    public func run(plugin: LoadedPlugin, series: TimeSeries, options: String, city: String,
                    variable: Variable, log: (String) -> Void = { _ in }) throws(PipelineError) -> Report {
        guard !levels.isEmpty, levels.allSatisfy({ $0 > 0 && $0 < 1 }) else {
            throw PipelineError(.usage, "interval levels must be between 0 and 1, e.g. 0.95")
        }
        guard Set(levels.map(Self.levelKey)).count == levels.count else {
            throw PipelineError(.usage, "each interval level may be given once; got \(levels.map(Self.levelKey).joined(separator: ", "))")
        }
        let indices = try originIndices(for: series)
        let firstOrigin = indices[0]
        let clock = ContinuousClock()
        var fitTime = Duration.zero, conditionTime = Duration.zero, forecastTime = Duration.zero
        let conditioning = plugin.supportsConditioning && !forceRefit
        var base: PluginModel?
        if conditioning {
            log("fitting \(plugin.name) once on \(firstOrigin) hours, then conditioning at each origin")
            let start = clock.now
            base = try fit(plugin, series.slice(0..<firstOrigin), options: options)
            fitTime += clock.now - start
        } else {
            log("refitting \(plugin.name) at each of \(indices.count) origins (the plugin does not offer conditioning)")
        }
        let keys = levels.map(Self.levelKey)
        var absolute: [String: Double] = [:], squared: [String: Double] = [:], counts: [String: Double] = [:]
        var inside: [String: [String: Double]] = [:], winklerSum: [String: [String: Double]] = [:]
        var leadAbsolute = [Double](repeating: 0, count: horizon)
        var leadCounts = [Double](repeating: 0, count: horizon)
        var originTimes: [Int64] = []
        var forecasts: [OriginForecast] = []
        for (k, origin) in indices.enumerated() {
            let model: PluginModel
            if let base {
                let start = clock.now
                do {
                    model = try base.conditioned(on: series.slice(firstOrigin..<origin))
                } catch {
                    throw PipelineError(.model, "\(plugin.name) cannot condition on the data up to origin \(k + 1): \(error)")
                }
                conditionTime += clock.now - start
            } else {
                let start = clock.now
                model = try fit(plugin, series.slice(0..<origin), options: options)
                fitTime += clock.now - start
            }
            var outputs: [ForecastOutput] = []
            for level in levels {
                let start = clock.now
                do {
                    outputs.append(try model.forecast(horizon: horizon, level: level))
                } catch {
                    throw PipelineError(.model, "\(plugin.name) forecast from origin \(k + 1) failed: \(error)")
                }
                forecastTime += clock.now - start
            }
            originTimes.append(series.startTime + Int64(origin) * series.stepSeconds)
            let mean = outputs[0].mean
            let actual = Array(series.values[origin..<(origin + horizon)])
            // A missing hour (NaN in a full-history series) has no truth to score against.
            for h in 1...horizon where actual[h - 1].isFinite {
                let error = actual[h - 1] - mean[h - 1]
                let band = Self.band(of: h)
                absolute[band, default: 0] += abs(error)
                squared[band, default: 0] += error * error
                counts[band, default: 0] += 1
                leadAbsolute[h - 1] += abs(error)
                leadCounts[h - 1] += 1
                for (key, (level, output)) in zip(keys, zip(levels, outputs)) {
                    let lower = output.lower[h - 1], upper = output.upper[h - 1], y = actual[h - 1]
                    inside[key, default: [:]][band, default: 0] += (lower <= y && y <= upper) ? 1 : 0
                    winklerSum[key, default: [:]][band, default: 0] += Self.winklerScore(actual: y, lower: lower, upper: upper, level: level)
                }
            }
            if includeForecasts {
                forecasts.append(OriginForecast(
                    time: originTimes.last!, actual: actual, mean: mean,
                    lower: Dictionary(uniqueKeysWithValues: zip(keys, outputs.map(\.lower))),
                    upper: Dictionary(uniqueKeysWithValues: zip(keys, outputs.map(\.upper)))))
            }
            log("origin \(k + 1)/\(indices.count) at \(Timestamp.format(originTimes.last!)) done")
        }
        var mae: [String: Double] = [:], rmse: [String: Double] = [:]
        var coverageByLevel: [String: [String: Double]] = [:], winkler: [String: [String: Double]] = [:]
        for (band, count) in counts {
            mae[band] = absolute[band]! / count
            rmse[band] = (squared[band]! / count).squareRoot()
            for key in keys {
                coverageByLevel[key, default: [:]][band] = inside[key]![band]! / count
                winkler[key, default: [:]][band] = winklerSum[key]![band]! / count
            }
        }
        func seconds(_ duration: Duration) -> Double {
            Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
        }
        return Report(plugin: plugin.name, city: city, variable: variable.rawValue, mode: conditioning ? "condition" : "refit",
                      origins: indices.count, originTimes: originTimes, horizon: horizon, level: level, levels: levels,
                      trainingHours: firstOrigin, mae: mae, rmse: rmse, coverage: coverageByLevel[keys[0]]!,
                      coverageByLevel: coverageByLevel, winkler: winkler,
                      maeByLead: zip(leadAbsolute, leadCounts).map { $1 > 0 ? $0 / $1 : nil },
                      fitSeconds: seconds(fitTime), conditionSeconds: seconds(conditionTime), forecastSeconds: seconds(forecastTime),
                      forecasts: includeForecasts ? forecasts : nil)
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
