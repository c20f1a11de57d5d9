import Foundation
import PluginABI
import PluginHost
import Testing
import TestSupport

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

    @Test("fewer points than maxlag needs: insufficient data")
    func tooShort() throws {
        let short = Self.hourly.slice(0..<40)
        let error = try trainError(short, #"{"maxlag": 24, "seasonal": false}"#)
        #expect(error?.status == FP_STATUS_INSUFFICIENT_DATA)
        #expect(error?.message.contains("at least 50") == true, "\(error?.message ?? "")")
        // 49 points: maxlag 24 holds back 24, leaving 25 rows for 25 columns: still too few.
        #expect(try trainError(Self.hourly.slice(0..<49), #"{"maxlag": 24, "seasonal": false}"#)?.status == FP_STATUS_INSUFFICIENT_DATA)
        #expect(try trainError(TimeSeries(values: [], startTime: 0), "{}")?.status == FP_STATUS_INSUFFICIENT_DATA)
    }

    @Test("NaN and infinity: invalid data")
    func nonFinite() throws {
        for bad in [Double.nan, .infinity, -.infinity] {
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
        otherVersion[4] = 2
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
