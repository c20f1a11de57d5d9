import Foundation
import PluginBinding
import TestSupport
import Testing

/// Parity with statsmodels' ar_select_order + AutoReg.fit, through the plugin's C ABI.
@Suite("AutoReg parity with statsmodels")
struct AutoRegParityTests {
    static let startTime: Int64 = 1_356_998_400

    /// Trains on the fixture's series with its options and compares everything the fixture holds.
    @Test(arguments: AutoRegFixture.names)
    func matchesStatsmodels(_ name: String) throws {
        let fixture = try AutoRegFixture.load(name)
        let plugin = try BuildProducts.plugin("AutoReg")
        let series = TimeSeries(values: fixture.series, startTime: Self.startTime, stepSeconds: 3600)
        let trained = try plugin.train(series, options: fixture.optionsJSON)
        let summary = try AutoRegSummaryView(json: trained.summaryJSON)

        #expect(summary.selected_lags == fixture.selected_lags, "selected lag count")
        #expect(summary.param_names == fixture.param_names)
        #expect(summary.nobs == fixture.nobs)
        let params = close(summary.params, fixture.params, tolerance: 1e-8, relative: true)
        #expect(params.ok, "coefficients differ by \(params.worst) relative")
        #expect(abs(summary.sigma2 - fixture.sigma2) <= 1e-6, "sigma2 \(summary.sigma2) vs \(fixture.sigma2)")
        for key in ["aic", "bic", "hqic"] {
            let criteria = close(summary.criteria[key] ?? [], fixture.criteria[key] ?? [], tolerance: 1e-9, relative: true)
            #expect(criteria.ok, "\(key) of the candidates differ by \(criteria.worst) relative")
        }
        let refit = close([summary.aic, summary.bic, summary.hqic], [fixture.aic, fixture.bic, fixture.hqic], tolerance: 1e-9, relative: true)
        #expect(refit.ok, "refit criteria differ by \(refit.worst)")

        let model = try plugin.loadModel(trained.blob)
        try compareForecasts(model, mean: fixture.mean, intervals: fixture.intervals, horizon: fixture.horizon)
    }

    /// A model fitted on all but the last 30 values and conditioned on them forecasts as
    /// statsmodels does with the old parameters on the whole series (trend and seasonal phase continue).
    @Test(arguments: AutoRegFixture.names)
    func conditionedMatchesStatsmodels(_ name: String) throws {
        let fixture = try AutoRegFixture.load(name)
        let expected = fixture.conditioned
        let plugin = try BuildProducts.plugin("AutoReg")
        let whole = TimeSeries(values: fixture.series, startTime: Self.startTime, stepSeconds: 3600)
        let early = whole.slice(0..<expected.split)
        let trained = try plugin.train(early, options: fixture.optionsJSON)
        let summary = try AutoRegSummaryView(json: trained.summaryJSON)
        #expect(summary.selected_lags == expected.selected_lags)
        let params = close(summary.params, expected.params, tolerance: 1e-8, relative: true)
        #expect(params.ok, "coefficients differ by \(params.worst) relative")
        let model = try plugin.loadModel(trained.blob).conditioned(on: whole.slice(expected.split..<whole.count))
        try compareForecasts(model, mean: expected.mean, intervals: expected.intervals, horizon: fixture.horizon)
    }

    private func compareForecasts(_ model: PluginModel, mean: [Double], intervals: [String: AutoRegFixture.Bounds],
                                  horizon: Int) throws {
        for (key, bounds) in intervals {
            let level = try #require(Double(key))
            let output = try model.forecast(horizon: horizon, level: level)
            let m = close(output.mean, mean, tolerance: 1e-6, relative: false)
            #expect(m.ok, "means differ by \(m.worst)")
            let lower = close(output.lower, bounds.lower, tolerance: 1e-6, relative: false)
            let upper = close(output.upper, bounds.upper, tolerance: 1e-6, relative: false)
            #expect(lower.ok && upper.ok, "bounds at \(key) differ by \(max(lower.worst, upper.worst))")
        }
    }
}
