import ForecastPipeline
import Foundation
import PluginBinding
import TestSupport
import Testing

/// The backtest's scores against what its own per-origin forecasts imply, with the
/// seasonal-naive plugin (exact and cheap), and explicit origins against spaced ones.
@Suite("backtest scores")
struct BacktesterTests {
    static let base = Timestamp.parse("2017-01-01 00:00:00")!

    /// A daily cycle with a slow wave on top, so seasonal naive errs by a known, varying amount.
    static let series: TimeSeries = {
        let values = (0..<24 * 40).map { (hour: Int) -> Double in
            280 + 5 * sin(Double(hour) * .pi / 12) + 2 * sin(Double(hour) / 37) + Double(hour % 5) * 0.3
        }
        return TimeSeries(values: values, startTime: base)
    }()

    @Test("Winkler's score is the width, plus 2/alpha times the miss outside the interval")
    func winklerScore() {
        #expect(Backtester.winklerScore(actual: 0.5, lower: 0, upper: 1, level: 0.9) == 1)
        #expect(abs(Backtester.winklerScore(actual: 2, lower: 0, upper: 1, level: 0.9) - 21) < 1e-12)
        #expect(abs(Backtester.winklerScore(actual: -1, lower: 0, upper: 1, level: 0.8) - 11) < 1e-12)
    }

    @Test("every score per band and level is what the reported forecasts and observations give")
    func scoresMatchForecasts() throws {
        let plugin = try BuildProducts.plugin("SeasonalNaive")
        let report = try Backtester(origins: 6, step: 50, horizon: 72, levels: [0.95, 0.8], includeForecasts: true)
            .run(plugin: plugin, series: Self.series, options: "{}", city: "X", variable: .temperature)
        let forecasts = try #require(report.forecasts)
        #expect(forecasts.count == 6 && report.levels == [0.95, 0.8])
        #expect(report.coverage == report.coverageByLevel["0.95"])
        #expect(report.trainingHours == Self.series.count - 72 - 5 * 50)
        #expect(report.fitSeconds >= 0 && report.conditionSeconds >= 0 && report.forecastSeconds >= 0)
        for (index, forecast) in forecasts.enumerated() {
            let origin = Int((forecast.time - Self.base) / 3600)
            #expect(forecast.time == report.originTimes[index])
            #expect(forecast.actual == Array(Self.series.values[origin..<(origin + 72)]))
            // Seasonal naive repeats the last day before the origin.
            for h in 1...72 {
                #expect(forecast.mean[h - 1] == Self.series.values[origin + h - 1 - 24 * ((h + 23) / 24)])
            }
        }
        for (start, band) in [(0, "1-24"), (24, "25-48"), (48, "49-72")] {
            var absolute = 0.0, squared = 0.0, count = 0.0
            var inside: [String: Double] = [:], winkler: [String: Double] = [:]
            for forecast in forecasts {
                for h in start..<(start + 24) {
                    let error = forecast.actual[h] - forecast.mean[h]
                    absolute += abs(error); squared += error * error; count += 1
                    for (key, level) in [("0.95", 0.95), ("0.8", 0.8)] {
                        let lower = forecast.lower[key]![h], upper = forecast.upper[key]![h]
                        #expect(lower < forecast.mean[h] && forecast.mean[h] < upper)
                        inside[key, default: 0] += (lower <= forecast.actual[h] && forecast.actual[h] <= upper) ? 1 : 0
                        winkler[key, default: 0] += Backtester.winklerScore(actual: forecast.actual[h], lower: lower, upper: upper, level: level)
                    }
                }
            }
            #expect(abs(report.mae[band]! - absolute / count) < 1e-9)
            #expect(abs(report.rmse[band]! - (squared / count).squareRoot()) < 1e-9)
            for key in ["0.95", "0.8"] {
                #expect(report.coverageByLevel[key]![band]! == inside[key]! / count)
                #expect(abs(report.winkler[key]![band]! - winkler[key]! / count) < 1e-9)
            }
            // A narrower interval covers no more than a wider one.
            #expect(report.coverageByLevel["0.8"]![band]! <= report.coverageByLevel["0.95"]![band]!)
        }
        #expect(report.maeByLead.count == 72)
        let pooled = report.maeByLead[0..<24].compactMap { $0 }.reduce(0, +) / 24
        #expect(abs(pooled - report.mae["1-24"]!) < 1e-9)
    }

    @Test("explicit origin times give the same report as the same origins spaced by --step")
    func explicitOrigins() throws {
        let plugin = try BuildProducts.plugin("SeasonalNaive")
        let spaced = try Backtester(origins: 5, step: 60, horizon: 48)
            .run(plugin: plugin, series: Self.series, options: "{}", city: "X", variable: .humidity)
        let explicit = try Backtester(horizon: 48, originTimes: spaced.originTimes)
            .run(plugin: plugin, series: Self.series, options: "{}", city: "X", variable: .humidity)
        #expect(explicit.mae == spaced.mae && explicit.winkler == spaced.winkler && explicit.originTimes == spaced.originTimes)
        // Uneven origins are honoured as given.
        let uneven = [Self.base + 300 * 3600, Self.base + 301 * 3600, Self.base + 700 * 3600]
        let report = try Backtester(horizon: 24, originTimes: uneven)
            .run(plugin: plugin, series: Self.series, options: "{}", city: "X", variable: .humidity)
        #expect(report.originTimes == uneven && report.origins == 3 && report.trainingHours == 300)
    }

    @Test("origins off the grid, out of range or out of order, and repeated levels, are refused with the reason")
    func refusesBadOrigins() throws {
        let plugin = try BuildProducts.plugin("SeasonalNaive")
        func message(_ backtester: Backtester) -> String {
            do {
                _ = try backtester.run(plugin: plugin, series: Self.series, options: "{}", city: "X", variable: .temperature)
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        #expect(message(Backtester(originTimes: [Self.base + 1800])).contains("not on the series' hourly grid"))
        #expect(message(Backtester(horizon: 72, originTimes: [Self.base + Int64(Self.series.count - 10) * 3600])).contains("outside the series"))
        #expect(message(Backtester(originTimes: [Self.base + 500 * 3600, Self.base + 400 * 3600])).contains("must increase"))
        #expect(message(Backtester(levels: [0.8, 0.80])).contains("once"))
    }

    @Test("with a missing-values plugin, missing hours are neither trained on as values nor scored, and the JSON says null for them")
    func missingHoursAreNotScored() throws {
        let plugin = try BuildProducts.plugin("AutoReg")
        #expect(plugin.acceptsMissingValues)
        // The shared series follows an exact linear recursion, which a regression cannot fit:
        // add deterministic noise (a hashed sine, no generator state) on top.
        var values = Self.series.values.enumerated().map { hour, value in
            let hashed = sin(Double(hour) * 12.9898) * 43758.5453
            return value + (hashed - hashed.rounded(.down) - 0.5)
        }
        // A 30-hour gap in the training part and holes inside the scored hours.
        for hour in 200..<230 { values[hour] = .nan }
        let holes = [Self.series.count - 70, Self.series.count - 40, Self.series.count - 39, Self.series.count - 5]
        for hour in holes { values[hour] = .nan }
        let holed = TimeSeries(values: values, startTime: Self.base)
        let report = try Backtester(origins: 2, step: 24, horizon: 72, levels: [0.95], includeForecasts: true)
            .run(plugin: plugin, series: holed, options: "{}", city: "X", variable: .temperature)
        let forecasts = try #require(report.forecasts)
        for (start, band) in [(0, "1-24"), (24, "25-48"), (48, "49-72")] {
            var absolute = 0.0, count = 0.0
            for forecast in forecasts {
                for h in start..<(start + 24) where forecast.actual[h].isFinite {
                    #expect(forecast.mean[h].isFinite)
                    absolute += abs(forecast.actual[h] - forecast.mean[h])
                    count += 1
                }
            }
            #expect(count < Double(2 * 24))
            #expect(abs(report.mae[band]! - absolute / count) < 1e-9)
        }
        #expect(forecasts.contains { $0.actual.contains { $0.isNaN } })
        let json = try JSONOutput.render(report)
        #expect(json.contains("null"))
    }
}
