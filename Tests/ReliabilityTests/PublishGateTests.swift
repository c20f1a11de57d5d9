import Foundation
import Testing
import TestSupport

/// `forecast train` publishes a new model only after it loaded and forecast soundly through
/// its plugin; broken plugins, real C libraries, fail their own jobs and publish nothing.
@Suite("nothing broken is published")
struct PublishGateTests {
    /// Forecast bodies and crashes in load, each with what the failed job must say.
    static let broken: [(name: String, load: String?, forecast: String?, says: String)] = [
        ("NaN forecasts", nil, "for (int32_t i = 0; i < h; i++) { mean[i] = NAN; lower[i] = NAN; upper[i] = NAN; } return FP_STATUS_OK;",
         "fails (plugin broken: forecast failed"),
        ("NaN from hour 100", nil,
         "for (int32_t i = 0; i < h; i++) { double v = i >= 99 ? NAN : m->last; mean[i] = v; lower[i] = v - 1; upper[i] = v + 1; } return FP_STATUS_OK;",
         "its 100 h forecast at level 0.8 fails"),
        ("lower above upper", nil,
         "for (int32_t i = 0; i < h; i++) { mean[i] = m->last; lower[i] = m->last + 1; upper[i] = m->last - 1; } return FP_STATUS_OK;",
         "interval"),
        ("an implausible mean", nil,
         "for (int32_t i = 0; i < h; i++) { mean[i] = 1000; lower[i] = 999; upper[i] = 1001; } return FP_STATUS_OK;",
         "outside the plausible range"),
        ("a crash in load", "*(volatile int *)0 = 1; return FP_STATUS_INTERNAL;", nil,
         "the plugin crashed loading or forecasting from it"),
        ("a load that fails", "snprintf(e, c, \"blob layout changed\"); return FP_STATUS_BAD_MODEL;", nil,
         "it does not load"),
    ]

    @Test("a model that cannot forecast soundly is not published; its job fails with the reason, the other plugins publish",
          arguments: broken.indices)
    func brokenModelIsNotPublished(index: Int) throws {
        let (name, load, forecast, says) = Self.broken[index]
        let scratch = try Scratch("gate")
        defer { scratch.remove() }
        let workdir = scratch.path
        try ForecastCommand.prepareWorkdir(workdir, hours: 600, cities: ["San Francisco"])
        let plugins = scratch.file("plugins")
        try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: BuildProducts.libraryPath("SeasonalNaive"), toPath: plugins + "/libSeasonalNaive.so")
        try CPluginBuilder.compile(CPluginBuilder.plugin(name: "broken", load: load, forecast: forecast), name: "broken", into: plugins)

        var child = ForecastCommand.child(["train", "--workdir", workdir, "--plugin-dir", plugins,
                                           "--plugin", "broken", "--plugin", "seasonal-naive", "--jobs", "1"], in: workdir)
        child.environment = ForecastCommand.crashingEnvironment
        let finished = try ProgramRun.run(child)
        #expect(finished.termination == .exited(1), "\(name): \(finished.termination) \(finished.errors)")
        for variable in ["temperature", "humidity"] {
            #expect(finished.output.contains("FAILED  broken San Francisco \(variable): not published, the new model fails its check"),
                    "\(name): \(finished.output)")
            #expect(finished.output.contains("ok      seasonal-naive San Francisco \(variable)"), "\(name): \(finished.output)")
        }
        #expect(finished.output.contains(says), "\(name): \(finished.output)")
        let models = ModelTree(root: workdir + "/models")
        #expect(models.models.keys.sorted() == ["seasonal-naive/san-francisco/humidity.model", "seasonal-naive/san-francisco/temperature.model"],
                "\(name): \(models.models.keys.sorted())")

        // --in-process runs the same check here (a crash would take train down, so only the non-crashing cases).
        guard load?.contains("volatile") != true else { return }
        var inProcess = ForecastCommand.child(["train", "--workdir", workdir, "--plugin-dir", plugins,
                                               "--plugin", "broken", "--in-process"], in: workdir)
        inProcess.environment = ForecastCommand.crashingEnvironment
        let here = try ProgramRun.run(inProcess)
        #expect(here.termination == .exited(1) && here.output.contains("not published, the new model fails its check"), "\(name): \(here.output)")
        #expect(ModelTree(root: workdir + "/models").models.keys.allSatisfy { $0.hasPrefix("seasonal-naive/") })
    }
}
