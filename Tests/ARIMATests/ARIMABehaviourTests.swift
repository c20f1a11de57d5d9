import Foundation
import PluginABI
import PluginBinding
import TestSupport
import Testing

/// Error statuses, blobs, conditioning and the seasonal option, through the C ABI.
@Suite("ARIMA plugin behaviour")
struct ARIMABehaviourTests {
    static let hourly = (try? ARIMAFixture.all().first { $0.name == "hourly_temp" }?.values) ?? []
    static let drift = (try? ARIMAFixture.all().first { $0.name == "arima111_drift" }) ?? nil

    func status(_ body: () throws -> Void) -> Int32? {
        do {
            try body()
            return nil
        } catch let error as PluginCallError {
            return error.status
        } catch {
            return -1
        }
    }

    @Test("bad inputs give error statuses, never a model")
    func badInputs() throws {
        let plugin = try BuildProducts.plugin("ARIMA")
        func train(_ values: [Double], _ options: String = "{}") -> Int32? {
            status { _ = try plugin.train(TimeSeries(values: values, startTime: 0, stepSeconds: 3600), options: options) }
        }
        let good = Array(Self.hourly.prefix(200))
        #expect(train(Array(good.prefix(10))) == FP_STATUS_INSUFFICIENT_DATA)
        #expect(train([]) == FP_STATUS_INSUFFICIENT_DATA)
        // NaN is a missing value: accepted, but at least 16 observed values (48 with Fourier terms) are needed.
        var withNaN = good
        withNaN[17] = .nan
        #expect(train(withNaN) == nil)
        #expect(train([Double](repeating: .nan, count: 200)) == FP_STATUS_INSUFFICIENT_DATA)
        #expect(train(good.enumerated().map { $0.offset % 15 == 0 ? $0.element : .nan }, #"{"seasonal":"none"}"#) == FP_STATUS_INSUFFICIENT_DATA)
        #expect(train(good.enumerated().map { $0.offset % 5 == 0 ? $0.element : .nan }) == FP_STATUS_INSUFFICIENT_DATA)
        var withInfinity = good
        withInfinity[3] = .infinity
        #expect(train(withInfinity) == FP_STATUS_INVALID_DATA)
        #expect(train([Double](repeating: 281.5, count: 200)) == FP_STATUS_NUMERICAL)
        #expect(train([Double](repeating: 0, count: 200)) == FP_STATUS_NUMERICAL)
        // A straight line is constant after one difference.
        #expect(train((0..<200).map { 0.5 * Double($0) }, #"{"d":1,"seasonal":"none"}"#) == FP_STATUS_NUMERICAL)
        #expect(train((0..<200).map { 0.5 * Double($0) }, #"{"d":1}"#) == FP_STATUS_NUMERICAL)
        for options in [#"{"max_pp":3}"#, #"{"test":"pp"}"#, #"{"ic":"hqic"}"#, #"{"max_p":-1}"#, #"{"d":3}"#,
                        #"{"seasonal":"sarima"}"#, #"{"method":"exact"}"#, #"{"params":[1,2]}"#, #"{"order":[1,0]}"#,
                        #"{"order":[1,0,0],"params":[0.5]}"#, #"{"fourier_terms":13}"#, #"{"period":4,"fourier_terms":3}"#, "[1,2]", "{not json"] {
            #expect(train(good, options) == FP_STATUS_INVALID_ARGUMENT, "options \(options)")
        }
    }

    @Test("blobs are small, versioned and refused when corrupt")
    func blobs() throws {
        let plugin = try BuildProducts.plugin("ARIMA")
        let trained = try plugin.train(TimeSeries(values: Self.hourly, startTime: 0, stepSeconds: 3600),
                                       options: #"{"seasonal":"fourier","fourier_terms":4}"#)
        #expect(trained.blob.count <= 16 * 1024)
        #expect(Array(trained.blob.prefix(4)) == Array("ARIM".utf8))
        _ = try plugin.loadModel(trained.blob)
        #expect(status { _ = try plugin.loadModel(Array(trained.blob.dropLast(3))) } == FP_STATUS_BAD_MODEL)
        #expect(status { _ = try plugin.loadModel(trained.blob + [0]) } == FP_STATUS_BAD_MODEL)
        // A version-2 blob (before the seasonal factors and the follow-level flag: the same
        // fields without the last 24 + 8 bytes) and a version-1 blob (before bounds and seasonal
        // differencing too: 48 more) still load.
        let current = try plugin.loadModel(trained.blob).forecast(horizon: 12, level: 0.9)
        for (version, dropped) in [(UInt8(2), 24 + 8), (UInt8(1), 48 + 24 + 8)] {
            var older = Array(trained.blob.dropLast(dropped))
            older[4] = version
            #expect(try plugin.loadModel(older).forecast(horizon: 12, level: 0.9) == current, "version \(version)")
        }
        var otherVersion = trained.blob
        otherVersion[4] = 99
        #expect(status { _ = try plugin.loadModel(otherVersion) } == FP_STATUS_BAD_MODEL)
        #expect(status { _ = try plugin.loadModel(Array("not a model".utf8)) } == FP_STATUS_BAD_MODEL)
    }

    @Test("conditioning on new data equals filtering them with the same parameters", arguments: [false, true])
    func conditioning(seasonal: Bool) throws {
        let plugin = try BuildProducts.plugin("ARIMA")
        let values = try #require(Self.drift).values
        let fixed = try #require(Self.drift).fixed[0]
        var options = #"{"order":[1,1,1],"with_constant":true,"params":[\#(fixed.params.map { "\($0)" }.joined(separator: ","))]"#
        options += seasonal ? #","seasonal":"fourier","fourier_terms":2"# : #","seasonal":"none""#
        options += "}"
        let split = values.count - 37
        let start: Int64 = 1_400_000_400
        let head = TimeSeries(values: Array(values[..<split]), startTime: start, stepSeconds: 3600)
        let tail = TimeSeries(values: Array(values[split...]), startTime: start + Int64(split) * 3600, stepSeconds: 3600)
        let full = TimeSeries(values: values, startTime: start, stepSeconds: 3600)
        let model = try plugin.loadModel(try plugin.train(head, options: options).blob)
        let conditioned = try model.conditioned(on: tail).forecast(horizon: 12, level: 0.9)
        let direct = try plugin.loadModel(try plugin.train(full, options: options).blob).forecast(horizon: 12, level: 0.9)
        if !seasonal {
            // The same parameters and data: identical up to rounding.
            for h in 0..<12 {
                #expect(relativeError(conditioned.mean[h], direct.mean[h]) < 1e-9)
                #expect(relativeError(conditioned.upper[h], direct.upper[h]) < 1e-9)
            }
        } else {
            // Fourier coefficients are re-estimated on the longer series: close, not identical.
            for h in 0..<12 { #expect(relativeError(conditioned.mean[h], direct.mean[h]) < 1e-2) }
        }
        // Conditioning on nothing changes nothing; a gap is refused.
        let same = try model.conditioned(on: TimeSeries(values: [], startTime: tail.startTime, stepSeconds: 3600)).forecast(horizon: 5, level: 0.9)
        #expect(same == (try model.forecast(horizon: 5, level: 0.9)))
        let gap = TimeSeries(values: [1, 2], startTime: tail.startTime + 3600, stepSeconds: 3600)
        #expect(status { _ = try model.conditioned(on: gap) } == FP_STATUS_INVALID_ARGUMENT)
    }

    @Test("the Fourier option recovers the daily cycle and forecasts it")
    func fourier() throws {
        let plugin = try BuildProducts.plugin("ARIMA")
        // hourly_temp = 285 + 6 sin(2π(t - 9)/24) + noise, t counted from the start (midnight).
        let start: Int64 = 1_400_025_600   // a multiple of 86400: hour 0 of a day
        let trained = try plugin.train(TimeSeries(values: Self.hourly, startTime: start, stepSeconds: 3600),
                                       options: #"{"seasonal":"fourier","fourier_terms":2}"#)
        struct Summary: Decodable { struct F: Decodable { var coefficients: [Double] }; var fourier: F }
        let coefficients = try JSONDecoder().decode(Summary.self, from: Data(trained.summaryJSON.utf8)).fourier.coefficients
        let amplitude = (coefficients[0] * coefficients[0] + coefficients[1] * coefficients[1]).squareRoot()
        #expect(abs(amplitude - 6) < 1.5, "first harmonic amplitude \(amplitude)")
        let forecast = try plugin.loadModel(trained.blob).forecast(horizon: 48, level: 0.95)
        // The cycle persists: the forecast's peak-to-trough over the second day is large.
        let secondDay = forecast.mean[24..<48]
        #expect(secondDay.max()! - secondDay.min()! > 6)
        for h in 0..<48 { #expect(forecast.lower[h] < forecast.mean[h] && forecast.mean[h] < forecast.upper[h]) }
    }

    @Test("with bounds, forecasts and intervals are the Gaussian forecast's quantiles censored to the range")
    func bounds() throws {
        let plugin = try BuildProducts.plugin("ARIMA")
        let series = TimeSeries(values: Self.hourly, startTime: 0, stepSeconds: 3600)
        let free = try plugin.loadModel(try plugin.train(series, options: "{}").blob).forecast(horizon: 48, level: 0.95)
        let lower = free.mean[0] - 1, upper = free.mean[0] + 2
        let bounded = try plugin.loadModel(try plugin.train(series, options: #"{"bounds":[\#(lower),\#(upper)]}"#).blob)
            .forecast(horizon: 48, level: 0.95)
        for h in 0..<48 {
            for (ours, theirs) in [(bounded.mean[h], free.mean[h]), (bounded.lower[h], free.lower[h]), (bounded.upper[h], free.upper[h])] {
                #expect(ours == min(max(theirs, lower), upper))
            }
        }
        #expect(bounded.upper.contains(upper) && bounded.lower.contains(lower))
        for options in [#"{"bounds":[1]}"#, #"{"bounds":[5,5]}"#, #"{"bounds":[3,1]}"#] {
            #expect(status { _ = try plugin.train(series, options: options) } == FP_STATUS_INVALID_ARGUMENT)
        }
    }

    @Test("joint Fourier estimation never ends below the two-stage fit, and the criterion picks the harmonics")
    func jointFourier() throws {
        let plugin = try BuildProducts.plugin("ARIMA")
        let series = TimeSeries(values: Self.hourly, startTime: 0, stepSeconds: 3600)
        struct Fields: Decodable {
            struct Fourier: Decodable { var terms: Int; var tried: [Tried] }
            struct Tried: Decodable { var terms: Int; var aic: Double }
            var loglike: Double
            var order: [Int]
            var fourier: Fourier
        }
        func fitted(_ options: String) throws -> Fields {
            try JSONDecoder().decode(Fields.self, from: Data(try plugin.train(series, options: options).summaryJSON.utf8))
        }
        let twoStage = try fitted(#"{"order":[2,0,1],"seasonal":"fourier"}"#)
        let joint = try fitted(#"{"order":[2,0,1],"seasonal":"fourier","fourier_fit":"joint"}"#)
        #expect(joint.loglike >= twoStage.loglike)
        let chosen = try fitted(#"{"order":[2,0,1],"seasonal":"fourier","fourier_fit":"joint","max_fourier_terms":4}"#)
        #expect(chosen.fourier.tried.map(\.terms) == [1, 2, 3, 4])
        let best = try #require(chosen.fourier.tried.min { $0.aic < $1.aic })
        #expect(chosen.fourier.terms == best.terms)
    }

    @Test("intervals are calibrated by default from the model's own validation errors and survive the blob")
    func calibratedIntervals() throws {
        let plugin = try BuildProducts.plugin("ARIMA")
        // Two copies: a validated quarter of 360 hours gives every lead up to 72 at least 20 errors.
        let series = TimeSeries(values: Self.hourly + Self.hourly, startTime: 0, stepSeconds: 3600)
        let gaussian = try plugin.loadModel(try plugin.train(series, options: #"{"intervals":"gaussian"}"#).blob).forecast(horizon: 72, level: 0.8)
        let trained = try plugin.train(series, options: "{}")
        let calibrated = try plugin.loadModel(trained.blob).forecast(horizon: 72, level: 0.8)
        #expect(trained.summaryJSON.contains(#""intervals":"calibrated""#))
        #expect(try plugin.train(series, options: #"{"intervals":"gaussian"}"#).summaryJSON.contains(#""intervals":"gaussian""#))
        #expect(calibrated.mean == gaussian.mean)
        #expect(calibrated.upper != gaussian.upper)
        for h in 0..<72 { #expect(calibrated.lower[h] <= calibrated.mean[h] && calibrated.mean[h] <= calibrated.upper[h]) }
        #expect(status { _ = try plugin.train(series, options: #"{"intervals":"quantile"}"#) } == FP_STATUS_INVALID_ARGUMENT)
    }

    @Test("conditioning on four weeks or more recalibrates the intervals on the newest errors, keeping the mean")
    func recalibration() throws {
        let plugin = try BuildProducts.plugin("ARIMA")
        let history = Self.hourly + Self.hourly
        let series = TimeSeries(values: history, startTime: 0, stepSeconds: 3600)
        let calibrated = try plugin.loadModel(try plugin.train(series, options: "{}").blob)
        let gaussian = try plugin.loadModel(try plugin.train(series, options: #"{"intervals":"gaussian"}"#).blob)
        // Two more months whose swings about the mean are three times as large: errors triple.
        let mean = history.reduce(0, +) / Double(history.count)
        let louder = history.map { mean + 3 * ($0 - mean) }
        func widthRatio(_ count: Int) throws -> Double {
            let newer = TimeSeries(values: Array(louder.prefix(count)), startTime: Int64(history.count) * 3600, stepSeconds: 3600)
            let c = try calibrated.conditioned(on: newer).forecast(horizon: 72, level: 0.8)
            let g = try gaussian.conditioned(on: newer).forecast(horizon: 72, level: 0.8)
            #expect(c.mean == g.mean)
            let width = { (f: ForecastOutput) in zip(f.upper, f.lower).reduce(0) { $0 + $1.0 - $1.1 } }
            return width(c) / width(g)
        }
        // Three weeks keep the training calibration; six weeks replace it with the louder errors'.
        let kept = try widthRatio(3 * 168), recalibrated = try widthRatio(6 * 168)
        #expect(recalibrated > 2 * kept, "calibrated/Gaussian width \(kept) after three weeks, \(recalibrated) after six")
    }

    @Test("conditioning on four weeks or more re-estimates the daily cycle on them")
    func cycleFollowsTheSeason() throws {
        let plugin = try BuildProducts.plugin("ARIMA")
        let history = Self.hourly + Self.hourly
        let model = try plugin.loadModel(try plugin.train(TimeSeries(values: history, startTime: 0, stepSeconds: 3600),
                                                          options: #"{"seasonal":"fourier","d":1}"#).blob)
        // Six weeks of a daily cycle of amplitude 10 (peak to trough 20), with a little deterministic noise.
        let mean = history.reduce(0, +) / Double(history.count)
        let newer: [Double] = (0..<(6 * 168)).map { (t: Int) -> Double in
            let phase: Double = 2 * Double.pi * Double(history.count + t) / 24
            let noise: Double = 0.3 * sin(1.3 * Double(t))
            return mean + 10 * sin(phase) + noise
        }
        func secondDayRange(_ count: Int) throws -> Double {
            let series = TimeSeries(values: Array(newer.prefix(count)), startTime: Int64(history.count) * 3600, stepSeconds: 3600)
            let day = try model.conditioned(on: series).forecast(horizon: 48, level: 0.8).mean[24..<48]
            return day.max()! - day.min()!
        }
        let trained = try model.forecast(horizon: 48, level: 0.8).mean[24..<48]
        let kept = try secondDayRange(3 * 168), followed = try secondDayRange(6 * 168)
        // Three weeks keep the trained cycle's amplitude; six weeks carry the new one.
        #expect(abs(kept - (trained.max()! - trained.min()!)) < 0.5 * abs(followed - kept), "trained \(trained), kept \(kept), followed \(followed)")
        #expect(abs(followed - 20) < 2, "peak to trough \(followed) after six weeks of a cycle of 20")
    }

    @Test("with follow_level, conditioning on four weeks or more moves a d = 0 model's mean to the newest weeks' level; without, the forecast falls back to the trained mean")
    func levelFollowsTheSeason() throws {
        let plugin = try BuildProducts.plugin("ARIMA")
        let history = Self.hourly + Self.hourly
        let mean = history.reduce(0, +) / Double(history.count)
        // Six weeks of the same weather 12 above the trained level (winter to summer).
        let warmer = TimeSeries(values: Array(history.suffix(6 * 168)).map { $0 + 12 }, startTime: Int64(history.count) * 3600,
                                stepSeconds: 3600)
        func thirdDayMean(_ options: String) throws -> (Double, [UInt8]) {
            let blob = try plugin.train(TimeSeries(values: history, startTime: 0, stepSeconds: 3600), options: options).blob
            let day = try plugin.loadModel(blob).conditioned(on: warmer).forecast(horizon: 72, level: 0.8).mean[48..<72]
            return (day.reduce(0, +) / 24, blob)
        }
        let order = #""seasonal":"fourier","order":[2,0,1],"with_constant":true"#
        let (kept, _) = try thirdDayMean("{\(order)}")
        let (followed, blob) = try thirdDayMean("{\(order),\"follow_level\":true}")
        let newest = warmer.values.reduce(0, +) / Double(warmer.values.count)
        #expect(abs(followed - newest) < 2, "third-day mean \(followed), newest weeks' mean \(newest)")
        #expect(abs(kept - newest) > 4 * abs(followed - newest), "without follow_level \(kept), with \(followed), trained mean \(mean)")
        // The flag is part of the model: a reloaded blob conditions the same way.
        let reloaded = try plugin.loadModel(blob).conditioned(on: warmer).forecast(horizon: 72, level: 0.8).mean[48..<72]
        #expect(abs(reloaded.reduce(0, +) / 24 - followed) < 1e-9)
    }

    @Test("trained on a series whose daily cycle grew in its last weeks, the published model carries the new cycle")
    func trainingEndsWithTheNewestCycle() throws {
        let plugin = try BuildProducts.plugin("ARIMA")
        let old = Self.hourly + Self.hourly + Self.hourly
        // Two more months of the same weather with 10 added to the first harmonic's sine term.
        let grown: [Double] = (Self.hourly + Self.hourly).enumerated().map { (t: Int, value: Double) -> Double in
            value + 10 * sin(2 * Double.pi * Double(old.count + t) / 24)
        }
        let before = try Self.sineCoefficient(plugin, old), after = try Self.sineCoefficient(plugin, old + grown)
        // The validated part (a quarter: 900 hours, all of the grown cycle) re-estimates it.
        #expect(abs(after - before - 10) < 1, "sine coefficient \(before) before, \(after) after the cycle grew by 10")
    }

    /// The first daily harmonic's sine coefficient of a model `plugin` trains on `values`.
    static func sineCoefficient(_ plugin: LoadedPlugin, _ values: [Double]) throws -> Double {
        struct Fields: Decodable {
            struct Fourier: Decodable { var coefficients: [Double] }
            var fourier: Fourier?
        }
        let summary = try plugin.train(TimeSeries(values: values, startTime: 0, stepSeconds: 3600), options: "{}").summaryJSON
        let fields = try JSONDecoder().decode(Fields.self, from: Data(summary.utf8))
        return try #require(fields.fourier).coefficients[0]
    }

    @Test("forecast intervals widen with the horizon and with the level")
    func intervals() throws {
        let plugin = try BuildProducts.plugin("ARIMA")
        let model = try plugin.loadModel(try plugin.train(TimeSeries(values: try #require(Self.drift).values, startTime: 0, stepSeconds: 3600)).blob)
        let narrow = try model.forecast(horizon: 30, level: 0.5)
        let wide = try model.forecast(horizon: 30, level: 0.99)
        for h in 0..<30 {
            #expect(wide.upper[h] - wide.lower[h] > narrow.upper[h] - narrow.lower[h])
            if h > 0 { #expect(wide.upper[h] - wide.lower[h] >= wide.upper[h - 1] - wide.lower[h - 1]) }
        }
    }
}
