import Foundation
import PluginABI
import PluginBinding
import PluginProcesses
import TestSupport
import Testing

/// The messages between `forecast train` and a training child, and the child's answer.
@Suite("training in a child process: messages")
struct TrainingMessageTests {
    @Test("a request survives encoding bit for bit, NaN, infinities and negative zero included")
    func requestRoundTrip() throws {
        let values = [1.5, -0.0, .nan, .infinity, -.greatestFiniteMagnitude, .leastNonzeroMagnitude, 288.15]
        let request = TrainingRequest(plugin: "arima", path: "/opt/plugins/libARIMA.so", options: #"{"seasonal":"none"}"#,
                                      series: TimeSeries(values: values, startTime: 1_349_092_800, stepSeconds: 3600))
        let decoded = try TrainingRequest.decode(try request.encoded())
        #expect(decoded.plugin == request.plugin && decoded.path == request.path && decoded.options == request.options)
        #expect(decoded.series.startTime == 1_349_092_800 && decoded.series.stepSeconds == 3600)
        #expect(decoded.series.values.map(\.bitPattern) == values.map(\.bitPattern))
    }

    @Test("NaN reaches a plugin that accepts missing values through a real training process")
    func missingValuesThroughChild() throws {
        let builder = try LibraryBuilder()
        defer { builder.remove() }
        let plugin = try PluginLoader.load(path: try builder.compile(file: BuildProducts.packageRoot + "/examples/c/holt_winters.c",
                                                                      name: "libholt_winters"))
        #expect(plugin.acceptsMissingValues)
        var series = ConformanceSuite.generatedSeries(count: 24 * 20)
        for index in [5, 6, 7, 200, 301] { series.values[index] = .nan }
        let training = ChildProcessTraining(executable: BuildProducts.forecastExecutable, arguments: ["train-child"], timeout: 600)
        let output = try training.train(plugin, series: series, options: "{}", observer: TrainingObserver())
        // The plugin counts what it was given: the five NaN arrived as NaN.
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(output.summaryJSON.utf8)) as? [String: Any])
        #expect(summary["missing"] as? Int == 5, "\(output.summaryJSON)")
        #expect(summary["observed"] as? Int == series.count - 5)
    }

    @Test("replies survive encoding: a model, and a plugin's failure")
    func replyRoundTrip() throws {
        let trained = TrainingReply.trained(blob: [0, 10, 13, 255], summaryJSON: #"{"aic":1.5}"#)
        #expect(try TrainingReply.decode(try trained.encoded()) == trained)
        let failed = TrainingReply.failed(status: FP_STATUS_INSUFFICIENT_DATA, message: "need 48 points\nhave 3")
        #expect(try TrainingReply.decode(try failed.encoded()) == failed)
    }

    @Test("a truncated or foreign message is an error, not a model")
    func damagedMessages() throws {
        let bytes = try TrainingReply.trained(blob: Array(repeating: 7, count: 100), summaryJSON: "{}").encoded()
        #expect(throws: (any Error).self) { try TrainingReply.decode(Array(bytes.dropLast())) }
        #expect(throws: (any Error).self) { try TrainingReply.decode([]) }
        #expect(throws: (any Error).self) { try TrainingRequest.decode(bytes) }
    }

    @Test("the child trains the requested plugin as an in-process call would, and reports its failures")
    func childAnswer() throws {
        let path = BuildProducts.libraryPath("SeasonalNaive")
        let plugin = try PluginLoader.load(path: path)
        let series = TimeSeries(values: (0..<400).map { 280 + 5 * sin(Double($0) * .pi / 12) }, startTime: 1_349_092_800)
        let direct = try plugin.train(series, options: "{}")
        let answer = TrainingChild.answer(try TrainingRequest(plugin: plugin.name, path: path, options: "{}", series: series).encoded())
        #expect(answer == .trained(blob: direct.blob, summaryJSON: direct.summaryJSON))

        let short = TrainingChild.answer(try TrainingRequest(plugin: plugin.name, path: path, options: "{}",
                                                             series: TimeSeries(values: [1, 2], startTime: 0)).encoded())
        guard case .failed(let status, _) = short else { Issue.record("two points trained: \(short)"); return }
        #expect(status == FP_STATUS_INSUFFICIENT_DATA)

        let renamed = TrainingChild.answer(try TrainingRequest(plugin: "arima", path: path, options: "{}", series: series).encoded())
        #expect(renamed == .failed(status: FP_STATUS_INTERNAL, message: "\(path) is now plugin 'seasonal-naive', not 'arima'"))
    }
}
