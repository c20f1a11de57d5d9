import PluginBinding
import Testing
import TestSupport

/// The conformance suite's concurrency step on the bundled plugins, in this process: the
/// one place ThreadSanitizer sees several threads forecasting from one ARIMA or AutoReg
/// model (the sanitizer stage skips the numerics suites and the `plugins check` CLI runs).
@Suite("concurrent forecasts on one model")
struct ConcurrentForecastTests {
    @Test("forecasts from 8 threads at once on one model of every bundled plugin match the serial result",
          arguments: ["SeasonalNaive", "AutoReg", "ARIMA"])
    func concurrentForecastsAgree(product: String) throws {
        let suite = ConformanceSuite(plugin: try BuildProducts.plugin(product))
        let (trainChecks, blob) = suite.runTrain()
        let trained = try #require(blob, "\(trainChecks)")
        let checks = suite.run(.concurrency, trainedBlob: trained)
        #expect(!checks.isEmpty)
        for check in checks {
            #expect(check.passed, "\(check.name): \(check.detail)")
        }
    }
}
