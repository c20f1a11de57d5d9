import Foundation
import PluginBinding
import TestSupport
import Testing

/// Parity with statsmodels' SARIMAX and pmdarima, through the plugin's C ABI.
@Suite("ARIMA parity with statsmodels and pmdarima")
struct ARIMAParityTests {
    static let fixtures: [ARIMAFixture] = (try? ARIMAFixture.all()) ?? []

    func options(_ fit: ARIMAFixture.FixedFit, params: Bool) -> String {
        var object = "\"order\":[\(fit.order.map(String.init).joined(separator: ","))],\"with_constant\":\(fit.constant),\"seasonal\":\"none\""
        if params { object += ",\"params\":[\(fit.params.map { "\($0)" }.joined(separator: ","))]" }
        return "{" + object + "}"
    }

    @Test("the fixtures are present")
    func fixturesPresent() {
        #expect(Self.fixtures.count >= 3)
    }

    @Test("log-likelihood, forecasts and intervals at statsmodels' parameters", arguments: fixtures)
    func fixedParameters(_ fixture: ARIMAFixture) throws {
        let plugin = try BuildProducts.plugin("ARIMA")
        let series = TimeSeries(values: fixture.values, startTime: 1_400_000_400, stepSeconds: 3600)
        for fit in fixture.fixed {
            let trained = try plugin.train(series, options: options(fit, params: true))
            let summary = try ARIMASummaryFields(trained.summaryJSON)
            #expect(relativeError(summary.loglike, fit.loglike) < 1e-6, "\(fixture.name) \(fit.order): loglike \(summary.loglike) vs \(fit.loglike)")
            let model = try plugin.loadModel(trained.blob)
            let horizon = fit.forecast_mean.count
            let f95 = try model.forecast(horizon: horizon, level: 0.95)
            let f80 = try model.forecast(horizon: horizon, level: 0.80)
            for h in 0..<horizon {
                #expect(relativeError(f95.mean[h], fit.forecast_mean[h]) < 1e-4, "\(fixture.name) \(fit.order) mean step \(h + 1)")
                #expect(relativeError(f95.lower[h], fit.lower95[h]) < 1e-4, "\(fixture.name) \(fit.order) lower95 step \(h + 1)")
                #expect(relativeError(f95.upper[h], fit.upper95[h]) < 1e-4, "\(fixture.name) \(fit.order) upper95 step \(h + 1)")
                #expect(relativeError(f80.lower[h], fit.lower80[h]) < 1e-4, "\(fixture.name) \(fit.order) lower80 step \(h + 1)")
                #expect(relativeError(f80.upper[h], fit.upper80[h]) < 1e-4, "\(fixture.name) \(fit.order) upper80 step \(h + 1)")
            }
        }
    }

    @Test("fitted coefficients and log-likelihood match SARIMAX's optimum", arguments: fixtures)
    func fittedCoefficients(_ fixture: ARIMAFixture) throws {
        let plugin = try BuildProducts.plugin("ARIMA")
        let series = TimeSeries(values: fixture.values, startTime: 1_400_000_400, stepSeconds: 3600)
        for fit in fixture.fixed {
            let summary = try ARIMASummaryFields(try plugin.train(series, options: options(fit, params: false)).summaryJSON)
            #expect(summary.order == fit.order)
            // Never worse than statsmodels' optimum; the same optimum to 1e-6 relative.
            #expect(relativeError(summary.loglike, fit.loglike) < 1e-6, "\(fixture.name) \(fit.order): loglike \(summary.loglike) vs \(fit.loglike)")
            #expect(summary.params.count == fit.params.count)
            // AR and MA coefficients within 1e-3. The intercept c = μ(1 - Σφ) is within 1e-3 of
            // the series' level: with Σφ near 1 it is as uncertain as μ times Σφ, so on a series
            // at 285 K an absolute 1e-3 would ask for 1e-6 on Σφ. sigma2 within 1e-3 relative.
            let level = max(1, abs(fixture.values.reduce(0, +) / Double(fixture.values.count)))
            for (index, (ours, theirs)) in zip(summary.params.dropLast(), fit.params.dropLast()).enumerated() {
                let tolerance = fit.constant && index == 0 ? 1e-3 * level : 1e-3
                #expect(abs(ours - theirs) < tolerance, "\(fixture.name) \(fit.order) parameter \(index): \(ours) vs \(theirs)")
            }
            #expect(relativeError(summary.sigma2, fit.params.last!) < 1e-3)
        }
    }

    @Test("the seed's auto_arima settings pick pmdarima's order or a lower AIC", arguments: fixtures)
    func automaticOrder(_ fixture: ARIMAFixture) throws {
        let plugin = try BuildProducts.plugin("ARIMA")
        let series = TimeSeries(values: fixture.values, startTime: 1_400_000_400, stepSeconds: 3600)
        let seed = #"{"start_p":1,"start_q":1,"test":"adf","max_p":3,"max_q":3,"stepwise":true,"seasonal":"none"}"#
        let summary = try ARIMASummaryFields(try plugin.train(series, options: seed).summaryJSON)
        let sameModel = summary.order == fixture.auto_seed.order && summary.constant == fixture.auto_seed.with_intercept
        if sameModel {
            #expect(relativeError(summary.aic, fixture.auto_seed.aic) < 1e-6)
        } else {
            #expect(summary.aic < fixture.auto_seed.aic, "\(fixture.name): \(summary.order) AIC \(summary.aic) vs pmdarima \(fixture.auto_seed.order) AIC \(fixture.auto_seed.aic)")
        }
        // d comes from the same ADF decision as pmdarima's ndiffs.
        #expect(summary.order[1] == fixture.ndiffs_adf)
    }

    @Test("the ADF and KPSS decisions match pmdarima's ndiffs")
    func unitRootDecisions() throws {
        let plugin = try BuildProducts.plugin("ARIMA")
        var cases = try UnitRootFixture.all().map { ($0.kind, $0.values, $0.ndiffs_adf, $0.ndiffs_kpss) }
        cases += Self.fixtures.map { ($0.name, $0.values, $0.ndiffs_adf, $0.ndiffs_kpss) }
        #expect(cases.count >= 8)
        for (name, values, adf, kpss) in cases {
            let series = TimeSeries(values: values, startTime: 0, stepSeconds: 3600)
            for (test, expected) in [("adf", adf), ("kpss", kpss)] {
                let options = #"{"test":"\#(test)","start_p":0,"start_q":0,"max_p":0,"max_q":0,"seasonal":"none"}"#
                let summary = try ARIMASummaryFields(try plugin.train(series, options: options).summaryJSON)
                #expect(summary.order[1] == expected, "\(name) \(test): d = \(summary.order[1]), ndiffs = \(expected)")
            }
        }
    }
}

extension ARIMAFixture: CustomTestStringConvertible {
    var testDescription: String { name }
}
