import PluginBinding
import TestSupport
import Testing

@Suite("the fit summary's one-line description")
struct SummaryDescriptionTests {
    @Test("a one-line string is the description; none is missing; an unusable one says why",
          arguments: [
              (#"{"description":"ARIMA(2,0,3) with constant"}"#, "described"),
              (#"{"description":"  seasonal naive, period 24  "}"#, "described"),
              (#"{"model":"old"}"#, "missing"), ("not json", "missing"), ("[1,2]", "missing"),
              (#"{"description":""}"#, "invalid"), (#"{"description":"two\nlines"}"#, "invalid"),
              (#"{"description":42}"#, "invalid"),
          ])
    func findings(summary: String, expected: String) {
        switch SummaryDescription.read(summaryJSON: summary) {
        case .described(let text):
            #expect(expected == "described")
            #expect(text == text.trimmingCharacters(in: .whitespaces) && !text.isEmpty)
        case .missing: #expect(expected == "missing")
        case .invalid(let why):
            #expect(expected == "invalid")
            #expect(why.contains("description"))
        }
    }

    @Test("without a description the line is the plugin's name and version")
    func fallback() {
        #expect(SummaryDescription.line(summaryJSON: "{}", plugin: "holt", version: "0.3.1") == "holt 0.3.1")
        #expect(SummaryDescription.line(summaryJSON: #"{"description":"Holt, damped"}"#, plugin: "holt", version: "0.3.1") == "Holt, damped")
    }

    @Test("every bundled plugin describes its fit in one line, and the conformance suite passes that check without a warning",
          arguments: ["SeasonalNaive", "AutoReg", "ARIMA"])
    func bundledPluginsDescribe(product: String) throws {
        let plugin = try BuildProducts.plugin(product)
        let (checks, _) = ConformanceSuite(plugin: plugin).runTrain()
        let check = try #require(checks.first { $0.name == "summary description" })
        #expect(check.passed && !check.isWarning, "\(check.detail)")
    }
}
