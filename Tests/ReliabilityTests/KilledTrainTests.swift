import Foundation
import ModelFiles
import TestSupport
import Testing

/// `forecast train` killed with SIGKILL at random points: every model file that exists
/// afterwards is whole and verifies, and a file that existed before is either the old
/// one or a complete new one.
@Suite("forecast train killed mid-write", .serialized)
struct KilledTrainTests {
    static let cities = ["San Francisco", "Portland", "Seattle", "Vancouver"]

    @Test("SIGKILL at random points never leaves a half model file")
    func killedTrain() throws {
        let scratch = try Scratch("kill")
        defer { scratch.remove() }
        let workdir = scratch.path
        try ForecastCommand.prepareWorkdir(workdir, hours: 1000, cities: Self.cities)
        let train = ["train", "--workdir", workdir, "--plugin-dir", BuildProducts.directory,
                     "--plugin", "seasonal-naive", "--plugin", "autoreg", "--max-points", "400", "--jobs", "2"]
        let models = workdir + "/models"

        // One whole run: the baseline every later state is compared with, and its duration.
        let started = Date()
        try ForecastCommand.check(try ForecastCommand.run(train, in: workdir), "train")
        let duration = Date().timeIntervalSince(started)
        var previous = ModelTree(root: models)
        #expect(previous.models.count == 2 * Self.cities.count * 2)

        var generator = SystemRandomNumberGenerator()
        var killedWhileRunning = 0
        for iteration in 0..<5 {
            var child = ForecastCommand.child(train, in: workdir)
            child.standardOutput = .discard
            child.standardError = .discard
            let running = try child.start()
            let delay = Double.random(in: 0.05...max(0.1, duration), using: &generator)
            Thread.sleep(forTimeInterval: delay)
            if running.isRunning { killedWhileRunning += 1 }
            running.stop(signal: SIGKILL, grace: 60)

            let after = ModelTree(root: models)
            for (relative, bytes) in previous.models {
                let now = after.models[relative]
                #expect(now != nil, "iteration \(iteration): \(relative) disappeared after a kill at \(delay) s")
                guard let now, now != bytes else { continue }
                // Replaced: the new file must be complete and verify.
                #expect(throws: Never.self, "iteration \(iteration): \(relative) replaced by a bad file") {
                    _ = try ModelFile.decode(now, path: relative)
                }
            }
            for (relative, bytes) in after.models {
                let file = try? ModelFile.decode(bytes, path: relative)
                #expect(file != nil, "iteration \(iteration): \(relative) does not verify after a kill at \(delay) s")
                if let file {
                    #expect(relative.hasPrefix(file.manifest.plugin + "/") && relative.hasSuffix("/\(file.manifest.variable).model"))
                }
            }
            previous = after
        }
        // Leftover temporary files of killed writers are hidden (dot) names that no reader opens;
        // the next publish of the same model does not reuse them.
        let leftovers = ModelTree(root: models).temporaries
        if !leftovers.isEmpty {
            print("note: \(leftovers.count) temporary file(s) of killed writers remain: \(leftovers.prefix(3))")
        }
        // The loop must have hit a running trainer at least once for the test to mean anything.
        #expect(killedWhileRunning > 0, "every kill came after train had finished (runs take \(duration) s)")

        // And a run after all the kills restores every model.
        try ForecastCommand.check(try ForecastCommand.run(train, in: workdir), "train")
        for (relative, bytes) in ModelTree(root: models).models {
            #expect((try? ModelFile.decode(bytes, path: relative)) != nil, "\(relative)")
        }
    }
}
