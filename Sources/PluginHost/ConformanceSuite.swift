import Foundation
import PluginABI
import Locking

/// Checks a plugin against the contract of `forecast_plugin.h`, through the C ABI only.
///
/// Third-party authors run it (`forecast plugins check FILE.so`) before dropping a
/// library in: it trains on generated series, loads, forecasts at several horizons and
/// levels, forecasts concurrently, and feeds bad input that must be answered with
/// error statuses rather than crashes.
public struct ConformanceSuite: Sendable {
    /// The outcome of one check.
    public struct Check: Sendable, Equatable {
        /// What was checked.
        public var name: String
        /// Whether it passed.
        public var passed: Bool
        /// What was observed.
        public var detail: String
    }

    /// The plugin under test.
    public let plugin: LoadedPlugin
    /// Options passed to train (the plugin's defaults when `{}`).
    public let options: String

    /// A suite for `plugin`, training with `options`.
    public init(plugin: LoadedPlugin, options: String = "{}") {
        self.plugin = plugin
        self.options = options
    }

    /// A deterministic hourly series: a daily cycle plus AR(1) noise around `level`.
    public static func generatedSeries(count: Int, level: Double = 285, seed: UInt64 = 42) -> TimeSeries {
        var state = seed
        func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        var noise = 0.0
        var values: [Double] = []
        values.reserveCapacity(count)
        for t in 0..<count {
            // Box-Muller from two uniforms, in (0, 1] to keep log finite.
            let gaussian = (-2 * log(1 - uniform())).squareRoot() * cos(2 * Double.pi * uniform())
            noise = 0.7 * noise + 0.8 * gaussian
            values.append(level + 6 * sin(2 * Double.pi * Double(t % 24) / 24) + noise)
        }
        return TimeSeries(values: values, startTime: 1_420_070_400, stepSeconds: 3600)
    }

    /// Runs every check and returns the results in order.
    public func run() -> [Check] {
        var checks: [Check] = []
        func record(_ name: String, _ passed: Bool, _ detail: String) {
            checks.append(Check(name: name, passed: passed, detail: detail))
        }

        record("descriptor", !plugin.version.isEmpty && !plugin.summary.isEmpty,
               "name '\(plugin.name)', version '\(plugin.version)', ABI \(plugin.abiVersionText)" +
               (plugin.summary.isEmpty ? "; the description is empty" : ""))

        let series = Self.generatedSeries(count: 24 * 60)
        let trained: TrainingOutput
        do {
            let progress = ProgressLog()
            let observer = TrainingObserver(onProgress: { fraction, _ in progress.add(fraction) })
            trained = try plugin.train(series, options: options, observer: observer)
            let summaryIsObject = (try? JSONSerialization.jsonObject(with: Data(trained.summaryJSON.utf8))) is [String: Any]
            record("train", summaryIsObject,
                   "\(series.count) hourly points -> \(trained.blob.count)-byte blob" +
                   (summaryIsObject ? "" : "; the summary is not a JSON object: \(trained.summaryJSON.prefix(80))"))
            let fractions = progress.values
            record("progress", fractions.allSatisfy { (0...1).contains($0) },
                   fractions.isEmpty ? "no progress reported (allowed)" : "\(fractions.count) reports, all within [0, 1]")
        } catch {
            record("train", false, error.description)
            return checks
        }

        let model: PluginModel
        do {
            model = try plugin.loadModel(trained.blob)
            record("load", true, "blob loaded")
        } catch {
            record("load", false, error.description)
            return checks
        }

        var widths: [Double: Double] = [:]
        var forecastFailures: [String] = []
        for horizon in [1, 24, 72, 168] {
            for level in [0.5, 0.8, 0.95, 0.99] {
                do {
                    let output = try model.forecast(horizon: horizon, level: level)
                    if horizon == 72 { widths[level] = output.upper[71] - output.lower[71] }
                } catch {
                    forecastFailures.append("h=\(horizon) level=\(level): \(error.message)")
                }
            }
        }
        record("forecast", forecastFailures.isEmpty,
               forecastFailures.isEmpty ? "horizons 1, 24, 72, 168 at levels 0.5-0.99: finite, lower <= mean <= upper"
                   : forecastFailures.joined(separator: "; "))
        let ordered = widths.count == 4 && widths[0.5]! <= widths[0.8]! && widths[0.8]! <= widths[0.95]! && widths[0.95]! <= widths[0.99]!
        record("interval levels", ordered, "72-step interval widths by level: " +
               widths.sorted { $0.key < $1.key }.map { "\($0.key): \(String(format: "%.3g", $0.value))" }.joined(separator: ", "))

        record("deterministic", (try? model.forecast(horizon: 72)) == (try? model.forecast(horizon: 72)),
               "two forecasts of one model are identical")
        record("concurrent forecasts", concurrentForecastsAgree(model), "8 threads x 25 forecasts on one model match the serial result")

        // Bad input: each must be an error status with a message, never a crash.
        record("too short", expectStatus([FP_STATUS_INSUFFICIENT_DATA]) {
            _ = try plugin.train(series.slice(0..<3), options: options)
        }, "3 observations")
        var withNaN = series
        withNaN.values[100] = .nan
        record("NaN in series", expectStatus([FP_STATUS_INVALID_DATA]) {
            _ = try plugin.train(withNaN, options: options)
        }, "value 100 is NaN")
        var withInfinity = series
        withInfinity.values[5] = .infinity
        record("infinity in series", expectStatus([FP_STATUS_INVALID_DATA]) {
            _ = try plugin.train(withInfinity, options: options)
        }, "value 5 is +inf")
        record("malformed options", expectStatus([FP_STATUS_INVALID_ARGUMENT]) {
            _ = try plugin.train(series, options: "{\"no such option\": true}")
        }, "{\"no such option\": true}")
        record("horizon 0", expectStatusRaw([FP_STATUS_INVALID_ARGUMENT]) { model.rawForecast(horizon: 0, level: 0.95) }, "horizon 0")
        record("level outside (0, 1)", expectStatusRaw([FP_STATUS_INVALID_ARGUMENT]) { model.rawForecast(horizon: 24, level: 1.5) }, "level 1.5")
        record("garbage blob", expectStatus([FP_STATUS_BAD_MODEL]) {
            _ = try plugin.loadModel(Array("this is not a model".utf8))
        }, "19 bytes of text")
        record("truncated blob", expectStatus([FP_STATUS_BAD_MODEL]) {
            _ = try plugin.loadModel(Array(trained.blob.prefix(trained.blob.count / 2)))
        }, "the first half of a real blob")
        record("empty blob", expectStatus([FP_STATUS_BAD_MODEL]) { _ = try plugin.loadModel([]) }, "0 bytes")

        if plugin.supportsConditioning {
            checks += conditioningChecks(series: series, options: options)
        } else {
            record("conditioning", true, "not offered (optional)")
        }
        return checks
    }

    private func conditioningChecks(series: TimeSeries, options: String) -> [Check] {
        var checks: [Check] = []
        let split = series.count - 48
        do {
            let early = try plugin.loadModel(try plugin.train(series.slice(0..<split), options: options).blob)
            let unchanged = try early.conditioned(on: TimeSeries(values: [], startTime: series.startTime + Int64(split) * 3600))
            checks.append(Check(name: "condition on nothing", passed: (try unchanged.forecast(horizon: 24)) == (try early.forecast(horizon: 24)),
                                detail: "conditioning on 0 observations leaves the forecast unchanged"))
            let later = try early.conditioned(on: series.slice(split..<series.count))
            let output = try later.forecast(horizon: 24)
            checks.append(Check(name: "condition", passed: output.mean != (try early.forecast(horizon: 24)).mean,
                                detail: "conditioned on 48 newer observations; the forecast moved with them"))
        } catch {
            checks.append(Check(name: "condition", passed: false, detail: error.description))
            return checks
        }
        let gap = expectStatus([FP_STATUS_INVALID_ARGUMENT]) {
            let model = try plugin.loadModel(try plugin.train(series.slice(0..<split), options: options).blob)
            _ = try model.conditioned(on: series.slice((split + 5)..<series.count))
        }
        checks.append(Check(name: "condition with a gap", passed: gap, detail: "newer data starting 5 steps late"))
        return checks
    }

    private func concurrentForecastsAgree(_ model: PluginModel) -> Bool {
        guard let reference = try? model.forecast(horizon: 72, level: 0.9) else { return false }
        let mismatches = MismatchCounter()
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<25 where (try? model.forecast(horizon: 72, level: 0.9)) != reference {
                mismatches.increment()
            }
        }
        return mismatches.value == 0
    }

    private func expectStatus(_ statuses: [Int32], _ body: () throws -> Void) -> Bool {
        do {
            try body()
            return false
        } catch let error as PluginCallError {
            return statuses.contains(error.status) && !error.message.isEmpty && error.message != "the plugin gave no message"
        } catch {
            return false
        }
    }

    private func expectStatusRaw(_ statuses: [Int32], _ body: () -> (Int32, String)) -> Bool {
        let (status, message) = body()
        return statuses.contains(status) && !message.isEmpty
    }
}

/// Progress fractions reported during a training call (thread-safe).
private final class ProgressLog: Sendable {
    private let fractions = Locked<[Double]>([])
    func add(_ value: Double) { fractions.withLock { $0.append(value) } }
    var values: [Double] { fractions.withLock { $0 } }
}

/// A thread-safe counter.
private final class MismatchCounter: Sendable {
    private let count = Locked(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}

extension PluginModel {
    /// Calls the plugin's forecast with unchecked arguments, returning the raw status and message.
    func rawForecast(horizon: Int32, level: Double) -> (Int32, String) {
        guard let forecast = plugin.descriptor.pointee.forecast else { return (FP_STATUS_INTERNAL, "missing") }
        let count = Int(max(horizon, 1))
        var mean = [Double](repeating: 0, count: count), lower = mean, upper = mean
        var buffer = [CChar](repeating: 0, count: LoadedPlugin.errorCapacity)
        let status = withHandle { handle in
            forecast(handle, horizon, level, &mean, &lower, &upper, &buffer, buffer.count)
        }
        buffer[buffer.count - 1] = 0
        return (status, buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
    }
}
