import PluginBinding
import TestSupport
import Testing

/// The host's conformance suite (what `forecast plugins check libAutoReg.so` runs).
@Suite("AutoReg conformance")
struct AutoRegConformanceTests {
    @Test("every check of the contract passes with the default options")
    func conformance() throws {
        let plugin = try BuildProducts.plugin("AutoReg")
        for check in ConformanceSuite(plugin: plugin).run() {
            #expect(check.passed, "\(check.name): \(check.detail)")
        }
    }
}
