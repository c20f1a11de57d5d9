import Foundation
import PluginABI
import PluginBinding
import TestSupport
import Testing

/// Plugins that break the contract's promises about their outputs: the host must turn
/// each into a `PluginCallError` (never a crash, never a NaN passed on).
@Suite("broken plugins through the C ABI")
struct BrokenPluginTests {
    static let series = TimeSeries(values: (0..<48).map { 280 + Double($0 % 24) }, startTime: 1_500_000_000 / 3600 * 3600)

    /// Builds `source` as a plugin, loads it through the real loader, and hands it to `body`.
    static func withPlugin(_ name: String, _ source: String, _ body: (LoadedPlugin) throws -> Void) throws {
        let scratch = try Scratch("broken")
        defer { scratch.remove() }
        let path = try CPluginBuilder.compile(source, name: name, into: scratch.path)
        try body(try PluginLoader.load(path: path))
    }

    /// A well-behaved model of `plugin`, trained on ``series``.
    static func model(_ plugin: LoadedPlugin) throws -> PluginModel {
        try plugin.loadModel(try plugin.train(series).blob)
    }

    @Test("the control plugin works, so the failures below are the defects under test")
    func control() throws {
        try Self.withPlugin("control", CPluginBuilder.plugin(name: "control")) { plugin in
            let output = try Self.model(plugin).forecast(horizon: 24, level: 0.9)
            #expect(output.mean == Array(repeating: Self.series.values.last!, count: 24))
        }
    }

    @Test("a forecast with NaN, infinity or a crossed interval is a numerical error",
          arguments: [
            "mean[i] = NAN;", "upper[i] = INFINITY;", "lower[i] = -INFINITY;", "lower[i] = mean[i] + 5;",
          ])
    func nonFiniteForecast(defect: String) throws {
        let body = """
            for (int32_t i = 0; i < h; i++) { mean[i] = m->last; lower[i] = m->last - 1; upper[i] = m->last + 1; \
            if (i == h / 2) { \(defect) } }
            return FP_STATUS_OK;
            """
        try Self.withPlugin("nanny", CPluginBuilder.plugin(name: "nanny", forecast: body)) { plugin in
            let model = try Self.model(plugin)
            let error = #expect(throws: PluginCallError.self) { _ = try model.forecast(horizon: 48, level: 0.95) }
            #expect(error?.status == FP_STATUS_NUMERICAL)
        }
    }

    @Test("a forecast that reports success but fills only part of the arrays is refused")
    func tooShortForecast() throws {
        let body = """
            for (int32_t i = 0; i < h / 2; i++) { mean[i] = m->last; lower[i] = m->last - 1; upper[i] = m->last + 1; }
            return FP_STATUS_OK;
            """
        try Self.withPlugin("short", CPluginBuilder.plugin(name: "short", forecast: body)) { plugin in
            let model = try Self.model(plugin)
            #expect(throws: PluginCallError.self) { _ = try model.forecast(horizon: 48, level: 0.95) }
            // One step is still whole: a horizon of 1 writes h / 2 = 0 values and is refused too.
            #expect(throws: PluginCallError.self) { _ = try model.forecast(horizon: 1, level: 0.95) }
        }
    }

    @Test("train that reports success with no blob, or a zero-length blob, is an error")
    func emptyBlob() throws {
        for body in ["out->blob = NULL; out->blob_size = 0; return FP_STATUS_OK;",
                     "out->blob = malloc(1); out->blob_size = 0; return FP_STATUS_OK;",
                     "out->blob = NULL; out->blob_size = 64; return FP_STATUS_OK;"] {
            try Self.withPlugin("noblob", CPluginBuilder.plugin(name: "noblob", train: body)) { plugin in
                #expect(throws: PluginCallError.self, "\(body)") { _ = try plugin.train(Self.series) }
            }
        }
    }

    @Test("load or condition that report success with no model are errors")
    func missingModel() throws {
        let source = CPluginBuilder.plugin(name: "nomodel", load: "*out = NULL; return FP_STATUS_OK;")
        try Self.withPlugin("nomodel", source) { plugin in
            let blob = try plugin.train(Self.series).blob
            #expect(throws: PluginCallError.self) { _ = try plugin.loadModel(blob) }
        }
        let conditioning = CPluginBuilder.plugin(name: "nocondition", condition: "*out = NULL; return FP_STATUS_OK;")
        try Self.withPlugin("nocondition", conditioning) { plugin in
            let model = try Self.model(plugin)
            let newer = TimeSeries(values: [1, 2], startTime: Self.series.lastTime + 3600)
            #expect(throws: PluginCallError.self) { _ = try model.conditioned(on: newer) }
        }
    }

    @Test("an error message that fills the whole buffer without a terminator is cut, not overrun")
    func unterminatedMessage() throws {
        let body = "memset(e, 'x', c); return FP_STATUS_NUMERICAL;"
        try Self.withPlugin("chatty", CPluginBuilder.plugin(name: "chatty", train: body)) { plugin in
            let error = #expect(throws: PluginCallError.self) { _ = try plugin.train(Self.series) }
            #expect(error?.status == FP_STATUS_NUMERICAL)
            let message = error?.message ?? ""
            #expect(!message.isEmpty && message.utf8.count < 1024)
            #expect(message.allSatisfy { $0 == "x" })
        }
    }

    @Test("an unknown status code is reported as an error with the plugin's message")
    func unknownStatus() throws {
        let body = "snprintf(e, c, \"status from the future\"); return 4242;"
        try Self.withPlugin("future", CPluginBuilder.plugin(name: "future", train: body)) { plugin in
            let error = #expect(throws: PluginCallError.self) { _ = try plugin.train(Self.series) }
            #expect(error?.status == 4242 && error?.message == "status from the future")
        }
    }
}
