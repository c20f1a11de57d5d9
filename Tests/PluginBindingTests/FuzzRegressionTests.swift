import Foundation
import PluginABI
import PluginBinding
import TestSupport
import Testing

/// Every input the fuzzers (fuzz/run.sh) found a failure with, replayed through the C ABI.
///
/// `Tests/Fixtures/fuzz/<plugin>/` holds the inputs for the plugin of that name; each
/// must now be refused by `load` or forecast finite, ordered values or an error status.
@Suite("fuzz regressions")
struct FuzzRegressionTests {
    static let products = ["seasonal-naive": "SeasonalNaive", "autoreg": "AutoReg", "arima": "ARIMA"]

    @Test("committed fuzz findings load or fail cleanly", arguments: products.keys.sorted())
    func replay(plugin name: String) throws {
        let directory = BuildProducts.fixture("fuzz/\(name)")
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
        guard !files.isEmpty else { return }
        let plugin = try BuildProducts.plugin(Self.products[name]!)
        for file in files {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(file)")))
            guard let model = try? plugin.loadModel(bytes) else { continue }
            do {
                let output = try model.forecast(horizon: 48, level: 0.9)
                let finite = output.mean.allSatisfy { $0.isFinite }
                #expect(finite, "\(file)")
            } catch {
                let message = error.message
                #expect(!message.isEmpty, "\(file): an error status without a message")
            }
        }
    }

    @Test("a seasonal-naive blob whose sigma overflows the bounds is a numerical error, not infinity")
    func overflowingSigma() throws {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: BuildProducts.fixture("fuzz/seasonal-naive/overflowing-sigma.blob"))))
        let model = try BuildProducts.plugin("SeasonalNaive").loadModel(bytes)
        #expect {
            _ = try model.forecast(horizon: 48, level: 0.9)
        } throws: { error in
            (error as? PluginCallError)?.status == FP_STATUS_NUMERICAL
        }
    }
}
