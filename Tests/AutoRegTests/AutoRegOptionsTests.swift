import Foundation
import PluginBinding
import TestSupport
import Testing

/// The options beyond statsmodels': the order cap, differencing, bounds, calibrated
/// intervals and the held-out selection, through the C ABI.
@Suite("AutoReg options")
struct AutoRegOptionsTests {
    static let hourly = ConformanceSuite.generatedSeries(count: 24 * 90)

    private func summary(_ json: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    }

    /// A two-week series is not fitted with 120 lags and 24 dummies: 336 points with a
    /// constant and 23 dummies afford (336 - 5 * 24) / 6 = 36 lags.
    @Test func aTwoWeekSeriesGetsAnOrderItsLengthAffords() throws {
        let plugin = try BuildProducts.plugin("AutoReg")
        let trained = try plugin.train(Self.hourly.slice(0..<336), options: #"{"maxlag": 120, "seasonal": true, "trend": "c", "difference": 0}"#)
        let s = try summary(trained.summaryJSON)
        #expect(s["maxlag"] as? Int == 120)
        #expect(s["maxlag_used"] as? Int == 36)
        #expect((s["selected_lags"] as? Int ?? 99) <= 36)
    }

    /// Differencing at lag 24 with no lags is seasonal naive: every forecast hour repeats
    /// the same hour of the last day.
    @Test func dailyDifferencesWithoutLagsForecastYesterday() throws {
        let plugin = try BuildProducts.plugin("AutoReg")
        let series = Self.hourly
        // maxlag 1 on a series whose daily differences are white noise picks 0 lags by bic.
        var noise = ConformanceSuite.generatedSeries(count: 24 * 30).values
        for t in 24..<noise.count { noise[t] = noise[t - 24] + 0.01 * sin(Double(t * t)) }
        let trained = try plugin.train(TimeSeries(values: noise, startTime: series.startTime),
                                       options: #"{"maxlag": 1, "ic": "bic", "trend": "n", "seasonal": false, "difference": 24, "intervals": "gaussian"}"#)
        let s = try summary(trained.summaryJSON)
        #expect(s["selected_lags"] as? Int == 0)
        let forecast = try plugin.loadModel(trained.blob).forecast(horizon: 48, level: 0.95)
        for h in 0..<48 {
            #expect(abs(forecast.mean[h] - noise[noise.count - 24 + h % 24]) < 1e-12)
        }
        // The interval of a seasonal random walk widens every 24 hours.
        #expect(forecast.upper[30] - forecast.lower[30] > (forecast.upper[10] - forecast.lower[10]) * 1.3)
    }

    /// Bounds hold the mean and both interval ends inside the physical range.
    @Test func boundsKeepMeansAndIntervalsInside() throws {
        let plugin = try BuildProducts.plugin("AutoReg")
        // A humidity-like series near its upper bound.
        let average = Self.hourly.values.reduce(0, +) / Double(Self.hourly.count)
        let values = Self.hourly.values.map { min(100, 93 + 2 * ($0 - average)) }
        let series = TimeSeries(values: values, startTime: Self.hourly.startTime)
        let free = try plugin.loadModel(try plugin.train(series, options: "{}").blob).forecast(horizon: 72, level: 0.95)
        #expect(free.upper.contains { $0 > 100 }, "the test needs a series whose unbounded interval leaves the range")
        let trained = try plugin.train(series, options: #"{"bounds": [0, 100]}"#)
        #expect(try summary(trained.summaryJSON)["bounds"] as? [Double] == [0, 100])
        let bounded = try plugin.loadModel(trained.blob).forecast(horizon: 72, level: 0.95)
        for h in 0..<72 {
            #expect(bounded.lower[h] >= 0 && bounded.upper[h] <= 100)
            #expect(bounded.lower[h] <= bounded.mean[h] && bounded.mean[h] <= bounded.upper[h])
        }
    }

    /// Calibrated intervals come from the model's own errors: a series with heavy-tailed
    /// innovations gets a 50% interval narrower and a 99% interval wider than Gaussian.
    @Test func calibratedIntervalsFollowTheErrorsTails() throws {
        let plugin = try BuildProducts.plugin("AutoReg")
        // AR(1) with Laplace-like innovations (a product of uniforms' logs) around a daily cycle.
        var state: UInt64 = 99
        func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return (Double(state >> 11) + 0.5) / 9_007_199_254_740_992
        }
        var y = [Double](repeating: 0, count: 24 * 200)
        for t in 1..<y.count {
            let sign: Double = uniform() < 0.5 ? -1 : 1
            y[t] = 0.7 * y[t - 1] + sign * -log(uniform()) * pow(uniform(), 3) * 3
        }
        let series = TimeSeries(values: y, startTime: 0)
        let options = #"{"maxlag": 4, "trend": "c", "difference": 0, "intervals": "#
        let gaussian = try plugin.loadModel(try plugin.train(series, options: options + #""gaussian"}"#).blob)
        let trained = try plugin.train(series, options: options + #""calibrated"}"#)
        #expect(try summary(trained.summaryJSON)["intervals"] as? String == "calibrated")
        let calibrated = try plugin.loadModel(trained.blob)
        let g50 = try gaussian.forecast(horizon: 2, level: 0.5), c50 = try calibrated.forecast(horizon: 2, level: 0.5)
        let g99 = try gaussian.forecast(horizon: 2, level: 0.99), c99 = try calibrated.forecast(horizon: 2, level: 0.99)
        #expect(c50.upper[0] - c50.lower[0] < 0.9 * (g50.upper[0] - g50.lower[0]))
        #expect(c99.upper[0] - c99.lower[0] > 1.05 * (g99.upper[0] - g99.lower[0]))
        #expect(c50.mean == g50.mean)
    }

    /// A version-1 blob (before bounds and calibration) and a version-2 one (before the
    /// hour-of-day scales) still load and forecast as the same model written as version 3.
    @Test func olderBlobsStillLoad() throws {
        let plugin = try BuildProducts.plugin("AutoReg")
        let blob = try plugin.train(Self.hourly, options: #"{"intervals": "gaussian"}"#).blob
        #expect(blob[4] == 3)
        var two = Array(blob.dropLast(16)) // version 3 appends a cycle of 0 and an empty array (8 bytes each)
        two[4] = 2
        var one = Array(blob.dropLast(32)) // version 2 appended two empty arrays
        one[4] = 1
        let b = try plugin.loadModel(blob).forecast(horizon: 24, level: 0.9)
        #expect(try plugin.loadModel(two).forecast(horizon: 24, level: 0.9) == b)
        #expect(try plugin.loadModel(one).forecast(horizon: 24, level: 0.9) == b)
    }

    /// With the defaults a two-week series trains too: both components' lag counts are
    /// capped by its length, and the forecast is finite.
    @Test func aTwoWeekSeriesTrainsWithTheDefaults() throws {
        let plugin = try BuildProducts.plugin("AutoReg")
        let trained = try plugin.train(Self.hourly.slice(0..<336), options: "{}")
        let s = try summary(trained.summaryJSON)
        // 312 daily differences afford 312 / 6 = 52 lags, 335 first differences 55.
        #expect(s["maxlag_used"] as? Int == 52)
        let other = try #require((s["combined"] as? [[String: Any]])?.first)
        #expect(other["difference"] as? Int == 1)
        #expect(other["maxlag_used"] as? Int == 55)
        let forecast = try plugin.loadModel(trained.blob).forecast(horizon: 168, level: 0.95)
        #expect(forecast.mean.allSatisfy(\.isFinite) && forecast.lower.allSatisfy(\.isFinite) && forecast.upper.allSatisfy(\.isFinite))
        #expect(zip(forecast.lower, forecast.upper).allSatisfy { $0 < $1 })
    }

    /// So does a two-week series with the repository's humidity options (daily differences
    /// and levels, a constant and 23 dummies): 24 deterministic columns leave (312 - 120) / 6
    /// = 32 lags of the differences and (336 - 120) / 6 = 36 of the levels.
    @Test func aTwoWeekSeriesTrainsWithTheHumidityOptions() throws {
        let plugin = try BuildProducts.plugin("AutoReg")
        let trained = try plugin.train(Self.hourly.slice(0..<336), options: #"{"difference": [24, 0], "trend": "c", "seasonal": true}"#)
        let s = try summary(trained.summaryJSON)
        #expect(s["maxlag_used"] as? Int == 32)
        #expect((s["combined"] as? [[String: Any]])?.first?["maxlag_used"] as? Int == 36)
        let forecast = try plugin.loadModel(trained.blob).forecast(horizon: 168, level: 0.8)
        let finite = forecast.mean.allSatisfy { $0.isFinite } && forecast.lower.allSatisfy { $0.isFinite } && forecast.upper.allSatisfy { $0.isFinite }
        #expect(finite)
    }

    /// A combined model's one-step forecast is the average of its components' (its
    /// coefficients are the average of theirs), and it forecasts further from that.
    @Test func aCombinedModelAveragesItsComponents() throws {
        let plugin = try BuildProducts.plugin("AutoReg")
        // Held-out selection refits every component as a model of its own would be (a
        // combined model selected by the criterion keeps the selection's common-sample fit).
        func model(_ options: String) throws -> (mean: [Double], params: [Double]) {
            let trained = try plugin.train(Self.hourly, options: #"{"intervals": "gaussian", "selection": "holdout", "# + options + "}")
            let params = try #require(try summary(trained.summaryJSON)["params"] as? [Double])
            return (try plugin.loadModel(trained.blob).forecast(horizon: 72, level: 0.9).mean, params)
        }
        // Each component of [24, 1] may reach order 30 + 24 in levels: 53 lags of the first differences.
        let daily = try model(#""maxlag": 30, "difference": 24"#)
        let hourly = try model(#""maxlag": 53, "difference": 1"#)
        let combined = try model(#""maxlag": 30, "difference": [24, 1]"#)
        #expect(abs(combined.mean[0] - (daily.mean[0] + hourly.mean[0]) / 2) < 1e-9 * abs(combined.mean[0]))
        let order = max(daily.params.count, hourly.params.count)
        #expect(combined.params.count == order)
        for j in 0..<order {
            let a = j < daily.params.count ? daily.params[j] : 0
            let b = j < hourly.params.count ? hourly.params[j] : 0
            #expect(abs(combined.params[j] - (a + b) / 2) < 1e-12)
        }
        let finite = combined.mean.allSatisfy { $0.isFinite }
        #expect(finite)
    }

    /// The calibrated intervals are narrower at the hours of the day whose errors are
    /// smaller: a series whose noise is ten times larger in the afternoon.
    @Test func calibratedIntervalsFollowTheHourOfTheDay() throws {
        let plugin = try BuildProducts.plugin("AutoReg")
        var state: UInt64 = 7
        func normal() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let u = (Double(state >> 11) + 0.5) / 9_007_199_254_740_992
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let v = (Double(state >> 11) + 0.5) / 9_007_199_254_740_992
            return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
        }
        var y = [Double](repeating: 0, count: 24 * 120)
        for t in 1..<y.count {
            let hour = t % 24
            y[t] = 0.8 * y[t - 1] + normal() * (hour >= 12 && hour < 18 ? 1.0 : 0.1)
        }
        let trained = try plugin.train(TimeSeries(values: y, startTime: 0),
                                       options: #"{"maxlag": 4, "difference": 0, "trend": "c", "intervals": "calibrated"}"#)
        let forecast = try plugin.loadModel(trained.blob).forecast(horizon: 72, level: 0.8)
        // The series ends at hour 24 * 120 - 1 = hour 23: step s forecasts hour (s - 1) mod 24.
        let widths = (0..<72).map { forecast.upper[$0] - forecast.lower[$0] }
        #expect(widths[24 + 15] > 3 * widths[24 + 3], "afternoon \(widths[24 + 15]) vs night \(widths[24 + 3])")
    }

    /// The held-out selection scores every lag count and picks the smallest error.
    @Test func holdoutSelectionPicksTheSmallestHeldOutError() throws {
        let plugin = try BuildProducts.plugin("AutoReg")
        let trained = try plugin.train(Self.hourly, options: #"{"selection": "holdout", "maxlag": 48}"#)
        let s = try summary(trained.summaryJSON)
        #expect(s["selection"] as? String == "holdout")
        let scores = try #require(s["holdout_mae"] as? [Double])
        #expect(scores.count == 49)
        #expect(scores.firstIndex(of: scores.min()!) == s["selected_lags"] as? Int)
        #expect((s["holdout_origins"] as? Int ?? 0) > 100)
    }
}
