import Foundation
import PluginHost
import Testing
import TestSupport

/// A plugin that crashes or hangs inside train, run through `forecast train`.
///
/// Today the host calls train in-process, so a crash takes the whole `forecast train`
/// down and a hang blocks it forever. What must hold regardless: the model files that
/// were published before stay whole. What should hold (known gaps, disabled below until
/// training runs in a child process with a time limit): the other plugins still train.
@Suite("crashing and hanging plugins in forecast train", .serialized)
struct CrashingPluginTests {
    static let crashes = ["raise(SIGSEGV); return FP_STATUS_INTERNAL;", "abort();"]
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

        init(trainBody: String) throws {
            scratch = try Scratch("crash")
            try ForecastCLI.prepareWorkdir(scratch.path, hours: 800, cities: ["San Francisco"])
            try FileManager.default.createDirectory(atPath: scratch.file("plugins"), withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: BuildProducts.libraryPath("SeasonalNaive"),
                                             toPath: scratch.file("plugins/libSeasonalNaive.so"))
            try CPluginBuilder.compile(CPluginBuilder.plugin(name: "broken", train: trainBody), name: "broken", into: scratch.file("plugins"))
            try ForecastCLI.check(try ForecastCLI.run(["train", "--workdir", scratch.path, "--plugin-dir", scratch.file("plugins"),
                                                       "--plugin", "seasonal-naive"], in: scratch.path), "train")
        }
    }

    @Test("a plugin that crashes in train never damages the published models", arguments: crashes)
    func crashKeepsModels(body: String) throws {
        let setup = try Setup(trainBody: body)
        defer { setup.scratch.remove() }
        let before = ModelTree(root: setup.workdir + "/models")
        #expect(before.models.count == 2)
        let finished = try ForecastCLI.run(setup.train, in: setup.workdir)
        // Record what happens today, so the report can say it (see docs/reliability.md).
        print("forecast train with a plugin doing `\(body)`: \(finished.exited ? "exit status" : "killed by signal") \(finished.status)")
        let after = ModelTree(root: setup.workdir + "/models")
        #expect(after.models.keys.sorted() == before.models.keys.sorted())
        for (relative, bytes) in after.models {
            #expect((try? ModelFile.decode(bytes, path: relative)) != nil, "\(relative)")
        }
    }

    @Test("forecast train survives a plugin that crashes in train: the others train, the crash is a failed job",
          .disabled("known bug: train runs in-process, a crashing plugin kills forecast train; see docs/reliability.md"),
          arguments: crashes)
    func crashIsAFailedJob(body: String) throws {
        let setup = try Setup(trainBody: body)
        defer { setup.scratch.remove() }
        let before = ModelTree(root: setup.workdir + "/models")
        let finished = try ForecastCLI.run(setup.train, in: setup.workdir)
        #expect(finished.exited && finished.status == 1, "\(finished.reason) \(finished.status)")
        #expect(finished.output.contains("FAILED  broken"))
        #expect(finished.output.contains("ok      seasonal-naive San Francisco temperature"))
        let after = ModelTree(root: setup.workdir + "/models")
        for (relative, bytes) in after.models where relative.hasPrefix("seasonal-naive/") {
            #expect(bytes != before.models[relative], "\(relative) was not retrained")
        }
    }

    @Test("a plugin that hangs in train is stopped by a time limit and the others still train",
          .disabled("known bug: forecast train has no time limit on a plugin's train call; see docs/reliability.md"))
    func hangIsStopped() throws {
        let setup = try Setup(trainBody: Self.hang)
        defer { setup.scratch.remove() }
        let process = ForecastCLI.process(setup.train, in: setup.workdir)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.2) }
        let stillRunning = process.isRunning
        if stillRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        #expect(!stillRunning, "forecast train was still running after 60 s")
        #expect(process.terminationReason == .exit && process.terminationStatus == 1)
    }
}
