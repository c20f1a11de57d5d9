import Foundation
import PluginABI
import PluginBinding
import TestSupport
import Testing

/// Bad series, bad options and bad blobs give error statuses with messages, through the C ABI.
@Suite("AutoReg bad input")
struct AutoRegBadInputTests {
    static let hourly = ConformanceSuite.generatedSeries(count: 24 * 20)

    /// Trains and returns the plugin's error, failing the test when training succeeds.
    private func trainError(_ series: TimeSeries, _ options: String) throws -> PluginCallError? {
        let plugin = try BuildProducts.plugin("AutoReg")
        do {
            _ = try plugin.train(series, options: options)
            Issue.record("training with \(options) on \(series.count) points succeeded")
            return nil
        } catch {
            #expect(!error.message.isEmpty)
            return error
        }
    }

    @Test("too few points for even one lag: insufficient data; a short series gets fewer lags")
    func tooShort() throws {
        // 47 points: less than two days.
        let error = try trainError(Self.hourly.slice(0..<47), #"{"maxlag": 24, "trend": "c", "difference": 0}"#)
        #expect(error?.status == FP_STATUS_INSUFFICIENT_DATA)
        #expect(error?.message.contains("at least 48") == true, "\(error?.message ?? "")")
        // 70 points with the defaults: 46 daily differences.
        let differenced = try trainError(Self.hourly.slice(0..<70), "{}")
        #expect(differenced?.status == FP_STATUS_INSUFFICIENT_DATA)
        #expect(differenced?.message.contains("46 observed lag-24 differences") == true, "\(differenced?.message ?? "")")
        #expect(try trainError(TimeSeries(values: [], startTime: 0), "{}")?.status == FP_STATUS_INSUFFICIENT_DATA)
        // 60 points afford (60 - 5) / 6 = 9 lags with a constant, whatever maxlag asks.
        let plugin = try BuildProducts.plugin("AutoReg")
        let trained = try plugin.train(Self.hourly.slice(0..<60), options: #"{"maxlag": 24, "trend": "c", "difference": 0}"#)
        let summary = try JSONSerialization.jsonObject(with: Data(trained.summaryJSON.utf8)) as? [String: Any]
        #expect(summary?["maxlag_used"] as? Int == 9)
    }

    @Test("infinity: invalid data (NaN is a missing value, not an error)")
    func nonFinite() throws {
        for bad in [Double.infinity, -.infinity] {
            var series = Self.hourly
            series.values[200] = bad
            let error = try trainError(series, "{}")
            #expect(error?.status == FP_STATUS_INVALID_DATA)
            #expect(error?.message.contains("observation 200") == true)
        }
    }

    @Test("a constant series: numerical error with a message, never NaN")
    func constantSeries() throws {
        let constant = TimeSeries(values: [Double](repeating: 287.15, count: 500), startTime: 0)
        for options in ["{}", #"{"seasonal": false}"#, #"{"trend": "n", "seasonal": false, "maxlag": 3}"#] {
            let error = try trainError(constant, options)
            #expect(error?.status == FP_STATUS_NUMERICAL, "\(options): \(error?.description ?? "")")
            #expect(error?.message.contains("rank-deficient") == true)
        }
    }

    @Test("a noiseless sine follows an exact AR(2) recursion: rank-deficient")
    func exactRecursion() throws {
        let sine = TimeSeries(values: (0..<400).map { sin(Double($0) * 0.3) }, startTime: 0)
        let error = try trainError(sine, #"{"seasonal": false, "maxlag": 10}"#)
        #expect(error?.status == FP_STATUS_NUMERICAL)
        #expect(error?.message.contains("lag 3") == true, "\(error?.message ?? "")")
    }

    @Test("bad option values and unknown keys: invalid argument", arguments: [
        #"{"maxlag": 0}"#, #"{"maxlag": -3}"#, #"{"maxlag": 1000000}"#, #"{"maxlag": 2.5}"#, #"{"maxlag": "12"}"#,
        #"{"ic": "aicc"}"#, #"{"ic": 3}"#, #"{"trend": "ctt"}"#, #"{"seasonal": "yes"}"#, #"{"period": 1}"#,
        #"{"period": 0}"#, #"{"period": 100000}"#, #"{"lags": 3}"#, #"{"maxlag": null}"#, "[1, 2]", "not json",
        #"{"selection": "cv"}"#, #"{"intervals": "bootstrap"}"#, #"{"difference": -1}"#, #"{"difference": 5000}"#, #"{"difference": []}"#, #"{"difference": [24, 24]}"#, #"{"difference": [24, -1]}"#,
        #"{"bounds": [100, 0]}"#, #"{"bounds": [0]}"#, #"{"bounds": "0-100"}"#, #"{"bounds": null}"#,
    ])
    func badOptions(_ options: String) throws {
        let error = try trainError(Self.hourly, options)
        #expect(error?.status == FP_STATUS_INVALID_ARGUMENT, "\(options): \(error?.description ?? "")")
    }

    @Test("a design too large for memory: invalid argument, not an allocation failure")
    func absurdDesign() throws {
        let long = ConformanceSuite.generatedSeries(count: 60_000)
        let error = try trainError(long, #"{"maxlag": 1000}"#)
        #expect(error?.status == FP_STATUS_INVALID_ARGUMENT)
    }

    @Test("garbage, truncated, empty and foreign-version blobs: bad model")
    func badBlobs() throws {
        let plugin = try BuildProducts.plugin("AutoReg")
        let blob = try plugin.train(Self.hourly, options: "{}").blob
        var candidates: [[UInt8]] = [[], Array("AREG".utf8), Array("not a model at all".utf8), Array(blob.dropLast()),
                                     blob + [0]]
        for cut in stride(from: 0, to: blob.count, by: max(1, blob.count / 40)) { candidates.append(Array(blob.prefix(cut))) }
        var otherVersion = blob
        otherVersion[4] = 4
        candidates.append(otherVersion)
        var badTrend = blob
        badTrend[8] = 9
        candidates.append(badTrend)
        for bytes in candidates {
            do {
                _ = try plugin.loadModel(bytes)
                Issue.record("a \(bytes.count)-byte bad blob loaded")
            } catch {
                #expect(error.status == FP_STATUS_BAD_MODEL, "\(bytes.count) bytes: \(error.description)")
            }
        }
    }
}
