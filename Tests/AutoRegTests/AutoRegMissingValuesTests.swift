import Foundation
import PluginBinding
import TestSupport
import Testing

/// One missing-value reference case (Tests/Fixtures/autoreg/missing_*.json), written by
/// bench/autoreg/missing_reference.py: statsmodels OLS on the complete rows.
struct AutoRegMissingFixture: Decodable {
    var options: [String: AutoRegFixture.OptionValue]
    /// The series, null = missing.
    var series: [Double?]
    var missing: Int
    var selected_lags: Int
    var criteria: [String: [Double]]
    var params: [Double]
    var param_names: [String]
    var sigma2: Double
    var nobs: Int
    var horizon: Int
    var mean: [Double]
    var lower: [Double]
    var upper: [Double]

    static let names = ["missing_seasonal_aic_c", "missing_bic_ct"]

    static func load(_ name: String) throws -> AutoRegMissingFixture {
        let data = try Data(contentsOf: URL(fileURLWithPath: BuildProducts.fixture("autoreg/\(name).json")))
        return try JSONDecoder().decode(AutoRegMissingFixture.self, from: data)
    }

    /// The options with the statsmodels pins, as JSON.
    var optionsJSON: String {
        let all = options.merging(AutoRegFixture.statsmodelsPins) { fixture, _ in fixture }
        return "{" + all.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value.json)" }.joined(separator: ", ") + "}"
    }
}

/// Missing hours (NaN): least squares on the complete rows, forecasts from the end with
/// the missing values at the end filled by the model's own forecasts.
@Suite("AutoReg missing values")
struct AutoRegMissingValuesTests {
    /// Selection, coefficients, variance and forecasts match statsmodels' OLS on the rows
    /// whose response and lags are all present; the series ends with two missing hours.
    @Test(arguments: AutoRegMissingFixture.names)
    func matchesOrdinaryLeastSquaresOnCompleteRows(_ name: String) throws {
        let fixture = try AutoRegMissingFixture.load(name)
        let plugin = try BuildProducts.plugin("AutoReg")
        let series = TimeSeries(values: fixture.series.map { $0 ?? .nan }, startTime: 1_356_998_400, stepSeconds: 3600)
        let trained = try plugin.train(series, options: fixture.optionsJSON)
        let summary = try AutoRegSummaryView(json: trained.summaryJSON)
        let raw = try #require(try JSONSerialization.jsonObject(with: Data(trained.summaryJSON.utf8)) as? [String: Any])
        #expect(raw["missing"] as? Int == fixture.missing)
        #expect(summary.selected_lags == fixture.selected_lags)
        #expect(summary.param_names == fixture.param_names)
        #expect(summary.nobs == fixture.nobs)
        let params = close(summary.params, fixture.params, tolerance: 1e-8, relative: true)
        #expect(params.ok, "coefficients differ by \(params.worst) relative")
        #expect(abs(summary.sigma2 - fixture.sigma2) <= 1e-8 * fixture.sigma2)
        for key in ["aic", "bic", "hqic"] {
            let criteria = close(summary.criteria[key] ?? [], fixture.criteria[key] ?? [], tolerance: 1e-9, relative: true)
            #expect(criteria.ok, "\(key) differ by \(criteria.worst) relative")
        }
        let forecast = try plugin.loadModel(trained.blob).forecast(horizon: fixture.horizon, level: 0.95)
        let mean = close(forecast.mean, fixture.mean, tolerance: 1e-6, relative: false)
        #expect(mean.ok, "means differ by \(mean.worst)")
        let lower = close(forecast.lower, fixture.lower, tolerance: 1e-6, relative: false)
        let upper = close(forecast.upper, fixture.upper, tolerance: 1e-6, relative: false)
        #expect(lower.ok && upper.ok, "bounds differ by \(max(lower.worst, upper.worst))")
    }

    /// With the default options a series with a long gap and a hole at its end trains,
    /// and forecasts finite values from the end.
    @Test func defaultsTrainOnAHoledSeries() throws {
        var series = ConformanceSuite.generatedSeries(count: 24 * 60)
        for index in 300..<450 { series.values[index] = .nan }
        for index in (series.count - 5)..<series.count { series.values[index] = .nan }
        let plugin = try BuildProducts.plugin("AutoReg")
        let trained = try plugin.train(series, options: "{}")
        let forecast = try plugin.loadModel(trained.blob).forecast(horizon: 72, level: 0.8)
        #expect(forecast.mean.allSatisfy { $0.isFinite })
        #expect(zip(forecast.lower, forecast.upper).allSatisfy { $0 < $1 })
    }
}
