import Foundation
import PluginABI
import Locking

/// Checks a plugin against the contract of `forecast_plugin.h`, through the C ABI only.
///
/// Third-party authors run it (`forecast plugins check FILE.so`) before dropping a
/// library in: it trains on generated series, loads, forecasts at several horizons and
/// levels, forecasts concurrently, and feeds bad input that must be answered with
/// error statuses rather than crashes. The checks come in ``Step``s, each of which can
/// run on its own (``run(_:trainedBlob:)``), so that `forecast plugins check` runs each
/// in a child process of its own (``IsolatedConformanceSuite``) and a crash or hang in
/// one is that step's failure; ``run()`` runs them all in this process.
public struct ConformanceSuite: Sendable {
    /// The outcome of one check.
    public struct Check: Sendable, Equatable, Codable {
        /// What was checked.
        public var name: String
        /// Whether it passed.
        public var passed: Bool
        /// What was observed.
        public var detail: String
        /// A passed check that found something the author should still fix (shown as
        /// `warn`), e.g. a fit summary without a one-line description.
        public var isWarning: Bool

        /// Creates an outcome.
        public init(name: String, passed: Bool, detail: String, isWarning: Bool = false) {
            self.name = name
            self.passed = passed
            self.detail = detail
            self.isWarning = isWarning
        }
    }

    /// A group of checks that runs on its own; all but ``train`` need the blob it made.
    public enum Step: String, Sendable, CaseIterable, Codable {
        case train, load, forecast, deterministic, concurrency
        case tooShort = "too-short", missingValues = "missing-values", infinity, malformedOptions = "malformed-options"
        case horizonZero = "horizon-0", levelOutside = "level-outside", garbageBlob = "garbage-blob"
        case truncatedBlob = "truncated-blob", emptyBlob = "empty-blob", condition, conditionGap = "condition-gap", release

        /// Whether the checks after it are pointless when it fails (nothing to load or forecast).
        public var isPrerequisite: Bool { self == .train || self == .load }

        /// The check name reported when the step does not finish (it crashed or hung).
        public var checkName: String {
            switch self {
            case .concurrency: "concurrent forecasts"
            case .missingValues: "NaN in series"
            case .infinity: "infinity in series"
            case .levelOutside: "level outside (0, 1)"
            case .conditionGap: "condition with a gap"
            default: rawValue.replacingOccurrences(of: "-", with: " ")
            }
        }
    }

    /// Points in the series the suite trains on: 60 days of hourly values.
    public static let trainingLength = 24 * 60
    /// Points the conditioning checks hold back from training and condition on.
    public static let conditioningLength = 48
    /// Points in the too-short series, which train must refuse with INSUFFICIENT_DATA.
    public static let tooShortLength = 3

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

    /// The series every step trains on.
    public static var series: TimeSeries { generatedSeries(count: trainingLength) }

    /// The series with missing hours: a run of a day and a half and scattered single hours.
    static var seriesWithGaps: TimeSeries {
        var gappy = series
        for index in 300..<336 { gappy.values[index] = .nan }
        for index in stride(from: 700, to: 1400, by: 97) { gappy.values[index] = .nan }
        return gappy
    }

    /// The one check that needs no call into the plugin: its identity.
    public func descriptorCheck() -> Check {
        Check(name: "descriptor", passed: !plugin.version.isEmpty && !plugin.summary.isEmpty,
              detail: "name '\(plugin.name)', version '\(plugin.version)', ABI \(plugin.abiVersionText), capabilities: " +
                  (plugin.capabilityNames.isEmpty ? "none" : plugin.capabilityNames.joined(separator: ", ")) +
                  (plugin.summary.isEmpty ? "; the description is empty" : ""))
    }

    /// The summary's one-line description (``SummaryDescription``): a warning when there is
    /// none (the plugin still serves, under its name and version), a failure when it is
    /// there but cannot be shown.
    static func descriptionCheck(summaryJSON: String) -> Check {
        switch SummaryDescription.read(summaryJSON: summaryJSON) {
        case .described(let text):
            return Check(name: "summary description", passed: true, detail: "'\(text)'")
        case .missing:
            return Check(name: "summary description", passed: true,
                         detail: "the fit summary has no \"description\" string: forecasts will say only the plugin's name and version; add one line saying what was fitted, e.g. \"ARIMA(2,0,3) with constant + 2 Fourier pairs\"",
                         isWarning: true)
        case .invalid(let why):
            return Check(name: "summary description", passed: false,
                         detail: "\(why): it must be one line of 1 to \(SummaryDescription.maximumLength) characters saying what was fitted")
        }
    }

    /// Runs every check in this process and returns the results in order.
    public func run() -> [Check] {
        var checks = [descriptorCheck()]
        let (trainChecks, blob) = runTrain()
        checks += trainChecks
        guard let blob else { return checks }
        for step in Step.allCases where step != .train {
            let results = run(step, trainedBlob: blob)
            checks += results
            if step.isPrerequisite && results.contains(where: { !$0.passed }) { break }
        }
        return checks
    }

    /// The train step: its checks, and the blob when train succeeded.
    public func runTrain() -> (checks: [Check], blob: [UInt8]?) {
        let series = Self.series
        do {
            let progress = ProgressLog()
            let observer = TrainingObserver(onProgress: { fraction, _ in progress.add(fraction) })
            let trained = try plugin.train(series, options: options, observer: observer)
            let summaryIsObject = (try? JSONSerialization.jsonObject(with: Data(trained.summaryJSON.utf8))) is [String: Any]
            let fractions = progress.values
            return ([
                Check(name: "train", passed: summaryIsObject,
                      detail: "\(series.count) hourly points -> \(trained.blob.count)-byte blob" +
                          (summaryIsObject ? "" : "; the summary is not a JSON object: \(trained.summaryJSON.prefix(80))")),
                Check(name: "progress", passed: fractions.allSatisfy { (0...1).contains($0) },
                      detail: fractions.isEmpty ? "no progress reported (allowed)" : "\(fractions.count) reports, all within [0, 1]"),
                Self.descriptionCheck(summaryJSON: trained.summaryJSON),
            ], trained.blob)
        } catch {
            return ([Check(name: "train", passed: false, detail: error.description)], nil)
        }
    }

    /// Runs one step on the blob the train step made (``train`` itself ignores it).
    public func run(_ step: Step, trainedBlob blob: [UInt8]) -> [Check] {
        func check(_ passed: Bool, _ detail: String) -> [Check] { [Check(name: step.checkName, passed: passed, detail: detail)] }
        func withModel(_ body: (PluginModel) -> [Check]) -> [Check] {
            do {
                return body(try plugin.loadModel(blob))
            } catch {
                return check(false, "the trained blob did not load: \(error.description)")
            }
        }
        let series = Self.series
        switch step {
        case .train:
            return runTrain().checks
        case .load:
            return withModel { _ in check(true, "blob loaded") }
        case .forecast:
            return withModel(forecastChecks)
        case .deterministic:
            return withModel { model in
                check((try? model.forecast(horizon: 72)) == (try? model.forecast(horizon: 72)), "two forecasts of one model are identical")
            }
        case .concurrency:
            return withModel { model in
                check(concurrentForecastsAgree(model), "8 threads x 25 forecasts on one model match the serial result")
            }
        case .tooShort:
            return check(expectStatus([FP_STATUS_INSUFFICIENT_DATA]) {
                _ = try plugin.train(series.slice(0..<Self.tooShortLength), options: options)
            }, "\(Self.tooShortLength) observations")
        case .missingValues:
            return plugin.acceptsMissingValues ? missingValueChecks() : check(expectStatus([FP_STATUS_INVALID_DATA]) {
                var withNaN = series
                withNaN.values[100] = .nan
                _ = try plugin.train(withNaN, options: options)
            }, "value 100 is NaN (the plugin does not declare FP_CAPABILITY_MISSING_VALUES)")
        case .infinity:
            return check(expectStatus([FP_STATUS_INVALID_DATA]) {
                var withInfinity = series
                withInfinity.values[5] = .infinity
                _ = try plugin.train(withInfinity, options: options)
            }, "value 5 is +inf")
        case .malformedOptions:
            return check(expectStatus([FP_STATUS_INVALID_ARGUMENT]) {
                _ = try plugin.train(series, options: "{\"no such option\": true}")
            }, "{\"no such option\": true}")
        case .horizonZero:
            return withModel { model in
                check(expectStatusRaw([FP_STATUS_INVALID_ARGUMENT]) { model.rawForecast(horizon: 0, level: 0.95) }, "horizon 0")
            }
        case .levelOutside:
            return withModel { model in
                check(expectStatusRaw([FP_STATUS_INVALID_ARGUMENT]) { model.rawForecast(horizon: 24, level: 1.5) }, "level 1.5")
            }
        case .garbageBlob:
            return check(expectStatus([FP_STATUS_BAD_MODEL]) {
                _ = try plugin.loadModel(Array("this is not a model".utf8))
            }, "19 bytes of text")
        case .truncatedBlob:
            return check(expectStatus([FP_STATUS_BAD_MODEL]) {
                _ = try plugin.loadModel(Array(blob.prefix(blob.count / 2)))
            }, "the first half of a real blob")
        case .emptyBlob:
            return check(expectStatus([FP_STATUS_BAD_MODEL]) { _ = try plugin.loadModel([]) }, "0 bytes")
        case .condition:
            return plugin.supportsConditioning ? conditioningChecks() : [Check(name: "conditioning", passed: true, detail: "not offered (optional)")]
        case .conditionGap:
            guard plugin.supportsConditioning else { return [] }
            let split = series.count - Self.conditioningLength
            return check(expectStatus([FP_STATUS_INVALID_ARGUMENT]) {
                let model = try plugin.loadModel(try plugin.train(series.slice(0..<split), options: options).blob)
                _ = try model.conditioned(on: series.slice((split + 5)..<series.count))
            }, "newer data starting 5 steps late")
        case .release:
            do {
                _ = try plugin.loadModel(blob) // dropped at once: release_model
            } catch {
                return check(false, "the trained blob did not load: \(error.description)")
            }
            plugin.releaseBuffer(nil)
            return check(true, "release_model on a loaded model, release_buffer(NULL)")
        }
    }

    private func forecastChecks(_ model: PluginModel) -> [Check] {
        var widths: [Double: Double] = [:]
        var failures: [String] = []
        for horizon in [1, 24, 72, 168] {
            for level in [0.5, 0.8, 0.95, 0.99] {
                do {
                    let output = try model.forecast(horizon: horizon, level: level)
                    if horizon == 72 { widths[level] = output.upper[71] - output.lower[71] }
                } catch {
                    failures.append("h=\(horizon) level=\(level): \(error.message)")
                }
            }
        }
        let ordered = widths.count == 4 && widths[0.5]! <= widths[0.8]! && widths[0.8]! <= widths[0.95]! && widths[0.95]! <= widths[0.99]!
        return [
            Check(name: "forecast", passed: failures.isEmpty,
                  detail: failures.isEmpty ? "horizons 1, 24, 72, 168 at levels 0.5-0.99: finite, lower <= mean <= upper"
                      : failures.joined(separator: "; ")),
            Check(name: "interval levels", passed: ordered, detail: "72-step interval widths by level: " +
                  widths.sorted { $0.key < $1.key }.map { "\($0.key): \(String(format: "%.3g", $0.value))" }.joined(separator: ", ")),
        ]
    }

    /// For a plugin declaring FP_CAPABILITY_MISSING_VALUES: NaN trains, conditions and still
    /// forecasts finite values.
    private func missingValueChecks() -> [Check] {
        let gappy = Self.seriesWithGaps
        let description = "\(gappy.missingCount) of \(gappy.count) values NaN (a 36-hour gap and single hours)"
        do {
            let model = try plugin.loadModel(try plugin.train(gappy, options: options).blob)
            _ = try model.forecast(horizon: 72, level: 0.95)
            var checks = [Check(name: "NaN in series", passed: true, detail: "\(description): trained, forecasts finite")]
            if plugin.supportsConditioning {
                var newer = Self.generatedSeries(count: gappy.count + 24).slice(gappy.count..<(gappy.count + 24))
                newer.values[3] = .nan
                newer.values[4] = .nan
                let later = try model.conditioned(on: newer)
                _ = try later.forecast(horizon: 24, level: 0.95)
                checks.append(Check(name: "condition on NaN", passed: true, detail: "24 newer values, 2 NaN: conditioned, forecasts finite"))
            }
            return checks
        } catch {
            return [Check(name: "NaN in series", passed: false,
                          detail: "the plugin declares FP_CAPABILITY_MISSING_VALUES, but with \(description): \(error.description)")]
        }
    }

    private func conditioningChecks() -> [Check] {
        var checks: [Check] = []
        let series = Self.series
        let split = series.count - Self.conditioningLength
        do {
            let early = try plugin.loadModel(try plugin.train(series.slice(0..<split), options: options).blob)
            let unchanged = try early.conditioned(on: TimeSeries(values: [], startTime: series.startTime + Int64(split) * 3600))
            checks.append(Check(name: "condition on nothing", passed: (try unchanged.forecast(horizon: 24)) == (try early.forecast(horizon: 24)),
                                detail: "conditioning on 0 observations leaves the forecast unchanged"))
            let later = try early.conditioned(on: series.slice(split..<series.count))
            let output = try later.forecast(horizon: 24)
            checks.append(Check(name: "condition", passed: output.mean != (try early.forecast(horizon: 24)).mean,
                                detail: "trained on \(split), conditioned on \(Self.conditioningLength) newer observations; the forecast moved with them"))
        } catch {
            checks.append(Check(name: "condition", passed: false, detail: error.description))
        }
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
        plugin.trace("forecast")
        let status = withHandle { handle in
            forecast(handle, horizon, level, &mean, &lower, &upper, &buffer, buffer.count)
        }
        buffer[buffer.count - 1] = 0
        return (status, buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
    }
}
