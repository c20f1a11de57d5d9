import Foundation
import Locking
import PluginABI
import PluginBinding
import TestSupport
import Testing

/// The model through the C ABI: descriptor, blob, summary, forecasts and conditioning.
@Suite("AutoReg model")
struct AutoRegModelTests {
    static let hourly = ConformanceSuite.generatedSeries(count: 24 * 90)

    @Test("the descriptor names the plugin, offers conditioning and documents its defaults")
    func descriptor() throws {
        let plugin = try BuildProducts.plugin("AutoReg")
        #expect(plugin.name == "autoreg")
        #expect(plugin.supportsConditioning)
        let defaults = try #require(plugin.defaultOptionsJSON)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(defaults.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["maxlag", "ic", "trend", "seasonal", "period", "selection", "intervals", "difference"])
        #expect(object["difference"] as? [Int] == [24, 1])
        #expect(object["maxlag"] as? Int == 144)
        #expect(object["intervals"] as? String == "calibrated")
    }

    @Test("the blob is small and round-trips: loading it twice forecasts identically")
    func blobRoundTrip() throws {
        let plugin = try BuildProducts.plugin("AutoReg")
        let trained = try plugin.train(Self.hourly, options: #"{"maxlag": 72}"#)
        // Coefficients and lags (p + 24 each) plus the calibration (72 leads x 30 numbers)
        // and the hour-of-day scales (72 leads x 24 hours).
        #expect(trained.blob.count < 40 * 1024, "\(trained.blob.count) bytes")
        #expect(trained.blob.starts(with: Array("AREG".utf8)))
        let a = try plugin.loadModel(trained.blob).forecast(horizon: 72, level: 0.9)
        let b = try plugin.loadModel(trained.blob).forecast(horizon: 72, level: 0.9)
        #expect(a == b)
    }

    @Test("the summary reports the selection: candidates, chosen order, coefficients")
    func summary() throws {
        let plugin = try BuildProducts.plugin("AutoReg")
        let trained = try plugin.train(Self.hourly, options: #"{"maxlag": 30, "ic": "aic", "trend": "c", "seasonal": true, "period": 24, "difference": 0}"#)
        let summary = try AutoRegSummaryView(json: trained.summaryJSON)
        #expect(summary.maxlag == 30)
        #expect(summary.criteria["aic"]?.count == 31)
        let aic = try #require(summary.criteria["aic"])
        #expect(aic.firstIndex(of: aic.min()!) == summary.selected_lags)
        #expect(summary.params.count == 1 + 23 + summary.selected_lags)
        #expect(summary.param_names.first == "const")
        #expect(summary.param_names[1] == "s(2,24)")
        #expect(summary.nobs == Self.hourly.count - summary.selected_lags)
        // The generated series is AR(1) around a daily cycle: the first lag must be picked up.
        #expect(summary.selected_lags >= 1)
        #expect(summary.sigma2 > 0.3 && summary.sigma2 < 1.0, "sigma2 \(summary.sigma2); the innovations have variance 0.64")
    }

    @Test("intervals widen with the horizon and with the level; the mean stays inside")
    func intervals() throws {
        let plugin = try BuildProducts.plugin("AutoReg")
        let model = try plugin.loadModel(try plugin.train(Self.hourly, options: "{}").blob)
        let narrow = try model.forecast(horizon: 72, level: 0.5)
        let wide = try model.forecast(horizon: 72, level: 0.99)
        #expect(narrow.mean == wide.mean)
        for step in 0..<72 {
            #expect(wide.upper[step] - wide.lower[step] > narrow.upper[step] - narrow.lower[step])
            #expect(wide.lower[step] <= wide.mean[step] && wide.mean[step] <= wide.upper[step])
        }
        // Calibrated widths follow the hour of the day, so they grow from day to day, not
        // from hour to hour; Gaussian ones grow every hour.
        func width(_ f: ForecastOutput, _ hours: Range<Int>) -> Double {
            hours.reduce(0) { $0 + f.upper[$1] - f.lower[$1] } / Double(hours.count)
        }
        #expect(width(wide, 48..<72) > width(wide, 0..<24))
        let gaussian = try plugin.loadModel(try plugin.train(Self.hourly, options: #"{"intervals": "gaussian"}"#).blob)
            .forecast(horizon: 72, level: 0.99)
        for step in 1..<72 {
            #expect(gaussian.upper[step] - gaussian.lower[step] >= gaussian.upper[step - 1] - gaussian.lower[step - 1] - 1e-12)
        }
    }

    @Test("conditioning on nothing changes nothing; conditioning in two steps equals one step")
    func conditioningComposes() throws {
        let plugin = try BuildProducts.plugin("AutoReg")
        let split = Self.hourly.count - 100
        let model = try plugin.loadModel(try plugin.train(Self.hourly.slice(0..<split), options: #"{"trend": "ct"}"#).blob)
        let empty = TimeSeries(values: [], startTime: Self.hourly.startTime + Int64(split) * 3600)
        #expect(try model.conditioned(on: empty).forecast(horizon: 30) == model.forecast(horizon: 30))
        let once = try model.conditioned(on: Self.hourly.slice(split..<Self.hourly.count))
        let twice = try model.conditioned(on: Self.hourly.slice(split..<(split + 37)))
            .conditioned(on: Self.hourly.slice((split + 37)..<Self.hourly.count))
        #expect(try once.forecast(horizon: 30) == twice.forecast(horizon: 30))
    }

    @Test("conditioning checks the continuation: a gap, another step or an infinity is refused")
    func conditioningChecksContinuation() throws {
        let plugin = try BuildProducts.plugin("AutoReg")
        let model = try plugin.loadModel(try plugin.train(Self.hourly.slice(0..<1000), options: "{}").blob)
        #expect(throws: PluginCallError.self) { try model.conditioned(on: Self.hourly.slice(1001..<1100)) }
        var infinite = Self.hourly.slice(1000..<1100)
        infinite.values[3] = .infinity
        do {
            _ = try model.conditioned(on: infinite)
            Issue.record("conditioning on infinity succeeded")
        } catch {
            #expect(error.status == FP_STATUS_INVALID_DATA)
        }
    }

    @Test("forecast arguments are checked: horizon 0 and levels outside (0, 1)")
    func forecastArguments() throws {
        let plugin = try BuildProducts.plugin("AutoReg")
        let model = try plugin.loadModel(try plugin.train(Self.hourly, options: "{}").blob)
        #expect(throws: PluginCallError.self) { try model.forecast(horizon: 0) }
        #expect(throws: PluginCallError.self) { try model.forecast(horizon: 5, level: 1) }
        #expect(throws: PluginCallError.self) { try model.forecast(horizon: 5, level: 0) }
    }
}

/// Host services during training: progress and cancellation.
@Suite("AutoReg host services")
struct AutoRegHostServicesTests {
    @Test("progress is reported within [0, 1], monotone, ending at 1")
    func progress() throws {
        let plugin = try BuildProducts.plugin("AutoReg")
        let seen = ProgressRecorder()
        _ = try plugin.train(ConformanceSuite.generatedSeries(count: 2000), options: "{}",
                             observer: TrainingObserver(onProgress: { fraction, _ in seen.add(fraction) }))
        let values = seen.values
        #expect(!values.isEmpty)
        #expect(values == values.sorted())
        #expect(values.last == 1)
    }

    @Test("a host that has cancelled gets the cancelled status")
    func cancellation() throws {
        let plugin = try BuildProducts.plugin("AutoReg")
        let observer = TrainingObserver()
        observer.cancel()
        do {
            _ = try plugin.train(ConformanceSuite.generatedSeries(count: 2000), options: "{}", observer: observer)
            Issue.record("training went on after cancellation")
        } catch {
            #expect(error.status == FP_STATUS_CANCELLED)
        }
    }
}

/// Progress fractions collected from the training thread.
private final class ProgressRecorder: Sendable {
    private let fractions = Locked<[Double]>([])
    func add(_ value: Double) { fractions.withLock { $0.append(value) } }
    var values: [Double] { fractions.withLock { $0 } }
}
