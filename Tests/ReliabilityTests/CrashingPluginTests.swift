import Foundation
import ModelFiles
import PluginBinding
import PluginProcesses
import TestSupport
import Testing

/// A plugin that crashes or hangs inside train, run through `forecast train`.
///
/// `forecast train` runs each train call in a child process with a time limit, so a crash
/// or a hang fails that job only: the other plugins still train, the models published
/// before stay whole, and the command exits 1 naming the failed job.
@Suite("crashing and hanging plugins in forecast train", .serialized)
struct CrashingPluginTests {
    static let crashes = ["*(volatile int *)0 = 1; return FP_STATUS_INTERNAL;", "abort();"]
    static let hang = "for (;;) sleep(1);"

    /// A workdir with sample data, seasonal-naive models already published, and a plugin
    /// directory holding seasonal-naive and one broken plugin named `broken`.
    struct Setup {
        let scratch: Scratch
        var workdir: String { scratch.path }
        var plugins: String { scratch.file("plugins") }
        var train: [String] {
            ["train", "--workdir", workdir, "--plugin-dir", plugins, "--plugin", "broken", "--plugin", "seasonal-naive", "--jobs", "1"]
        }

        /// `forecast` with `arguments`, in an environment where the broken plugin's crash stays a signal.
        func child(_ arguments: [String]) -> ChildProcess {
            var child = ForecastCommand.child(arguments, in: workdir)
            child.environment = ForecastCommand.crashingEnvironment
            return child
        }

        /// Runs `train` to completion.
        func runTrain() throws -> ProgramRun {
            try ProgramRun.run(child(train))
        }

        init(trainBody: String) throws {
            scratch = try Scratch("crash")
            try ForecastCommand.prepareWorkdir(scratch.path, hours: 800, cities: ["San Francisco"])
            try FileManager.default.createDirectory(atPath: scratch.file("plugins"), withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: BuildProducts.libraryPath("SeasonalNaive"),
                                             toPath: scratch.file("plugins/libSeasonalNaive.so"))
            try CPluginBuilder.compile(CPluginBuilder.plugin(name: "broken", train: trainBody), name: "broken", into: scratch.file("plugins"))
            try ForecastCommand.check(try ForecastCommand.run(["train", "--workdir", scratch.path, "--plugin-dir", scratch.file("plugins"),
                                                       "--plugin", "seasonal-naive"], in: scratch.path), "train")
        }
    }

    @Test("a plugin that crashes in train never damages the published models", arguments: crashes)
    func crashKeepsModels(body: String) throws {
        let setup = try Setup(trainBody: body)
        defer { setup.scratch.remove() }
        let before = ModelTree(root: setup.workdir + "/models")
        #expect(before.models.count == 2)
        _ = try setup.runTrain()
        let after = ModelTree(root: setup.workdir + "/models")
        #expect(after.models.keys.sorted() == before.models.keys.sorted())
        for (relative, bytes) in after.models {
            #expect((try? ModelFile.decode(bytes, path: relative)) != nil, "\(relative)")
        }
    }

    @Test("forecast train survives a plugin that crashes in train: the others train, the crash is a failed job",
          arguments: crashes)
    func crashIsAFailedJob(body: String) throws {
        let setup = try Setup(trainBody: body)
        defer { setup.scratch.remove() }
        let before = ModelTree(root: setup.workdir + "/models")
        let finished = try setup.runTrain()
        #expect(finished.termination == .exited(1), "\(finished.termination)")
        #expect(finished.output.contains("FAILED  broken San Francisco temperature: plugin broken: train failed"))
        #expect(finished.output.contains("the plugin crashed in train (training process killed by signal"))
        #expect(finished.output.contains("ok      seasonal-naive San Francisco temperature"))
        let after = ModelTree(root: setup.workdir + "/models")
        for (relative, bytes) in after.models where relative.hasPrefix("seasonal-naive/") {
            #expect(bytes != before.models[relative], "\(relative) was not retrained")
        }
    }

    @Test("a plugin that hangs in train is stopped by a time limit and the others still train")
    func hangIsStopped() throws {
        let setup = try Setup(trainBody: Self.hang)
        defer { setup.scratch.remove() }
        let before = ModelTree(root: setup.workdir + "/models")
        // The limit applies to every job: long enough for seasonal-naive's child to start and
        // train on a loaded machine under ThreadSanitizer, which starts slowly.
        var train = setup.child(setup.train + ["--job-timeout", "15"])
        train.standardOutput = .discard
        train.standardError = .discard
        let running = try train.start()
        let ended = running.wait(timeout: 180)
        if ended == nil { running.stop(signal: SIGKILL, grace: 10) }
        #expect(ended != nil, "forecast train was still running after 180 s")
        #expect(ended == .exited(1), "\(String(describing: ended))")
        let after = ModelTree(root: setup.workdir + "/models")
        #expect(after.models.keys.sorted() == before.models.keys.sorted())
        for (relative, bytes) in after.models where relative.hasPrefix("seasonal-naive/") {
            #expect(bytes != before.models[relative], "\(relative) was not retrained after the hung job")
        }
    }

    @Test("a training child whose parent is gone stops instead of training on")
    func orphanedChildStops() throws {
        let scratch = try Scratch("orphan")
        defer { scratch.remove() }
        let library = try CPluginBuilder.compile(CPluginBuilder.plugin(name: "broken", train: Self.hang), name: "broken", into: scratch.path)
        let request = TrainingRequest(plugin: "broken", path: library, options: "{}",
                                      series: TimeSeries(values: [1, 2, 3], startTime: 1_349_092_800))
        try Data(try request.encoded()).write(to: URL(fileURLWithPath: scratch.file("request")))
        // The reader of the child's reply pipe (`true`) exits at once, as a killed parent would.
        let script = #"set -o pipefail; "$0" train-child < "$1" 3>&1 >/dev/null 2>&1 | true"#
        let started = Date()
        let outcome = try ChildProcess(executable: "/bin/bash", arguments: ["-c", script, BuildProducts.forecastExecutable, scratch.file("request")])
            .run(timeout: 60)
        #expect(outcome.termination == .exited(70), "the hung child was not stopped: \(outcome.termination)")
        #expect(Date().timeIntervalSince(started) < 30)
    }
}
