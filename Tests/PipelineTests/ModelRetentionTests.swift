import ForecastPipeline
import ForecastStore
import Foundation
import ModelFiles
import TestSupport
import Testing

/// Old model generations pruned out of a PostgreSQL store after the retention window: by
/// the store call, by `forecast train` after its publish, and by `forecast prune-models`.
/// On databases of their own on the test server.
@Suite("model retention in PostgreSQL (needs FORECAST_TEST_POSTGRES_URL)", .serialized,
       .enabled(if: TestPostgres.isConfigured, "FORECAST_TEST_POSTGRES_URL is not set: PostgreSQL tests skipped"))
struct ModelRetentionTests {
    static let day: Int64 = 86_400
    static let start: Int64 = 1_700_000_000

    /// Publishes the seasonal-naive models of `cities` (trained into `repository`) as one generation at `now`.
    static func publish(_ cities: [String], from repository: ModelRepository, store: PostgresModelStore, now: Int64) throws -> Int64 {
        let rows = try SharedModelsTests.keys(cities).map { key in
            let file = try repository.read(plugin: key.plugin, city: key.city, variable: key.variable)
            return PostgresModelStore.Model(plugin: key.plugin, city: key.city, variable: key.variable,
                                            sha256: file.manifest.blobSHA256, file: try file.encoded())
        }
        return try store.publish(rows, now: now)
    }

    @Test("models older than the window beyond the two newest of each go, with the generations left empty; what the hosts serve stays; a dry run removes nothing")
    func pruneKeepsTheNewestOfEachModel() throws {
        let url = try SharedModelsTests.freshDatabase("forecast_model_retention")
        let directory = try Scratch("pipeline")
        defer { directory.remove() }
        let trainer = ModelRepository(root: directory.file("models"))
        let store = try PostgresModelStore(url: url)
        let hour = Self.start / 3600 * 3600
        try SharedModelsTests.train(trainer, city: "Oslo", lastTime: hour, level: 280)
        try SharedModelsTests.train(trainer, city: "Lima", lastTime: hour, level: 295)
        // Day 0 both cities, then Oslo alone on days 10, 20 and 40.
        let first = try Self.publish(["Oslo", "Lima"], from: trainer, store: store, now: Self.start)
        var oslo: [Int64] = []
        for day: Int64 in [10, 20, 40] {
            oslo.append(try Self.publish(["Oslo"], from: trainer, store: store, now: Self.start + day * Self.day))
        }
        let served = try store.newest()
        #expect(served.map(\.generation).sorted() == [first, first, oslo[2], oslo[2]])

        // The window starts on day 35: Oslo's generations of days 0 and 10 are past it and
        // not among its two newest; Lima's only model (day 0) is what hosts serve.
        let cutoff = Self.start + 35 * Self.day
        let dryRun = try store.prune(publishedBefore: cutoff, keep: 2, dryRun: true)
        #expect(dryRun.models == 4 && dryRun.generations == [oslo[0]], "\(dryRun)")
        #expect(dryRun.bytes > 0)
        #expect(try store.generations().map(\.generation) == [first] + oslo, "a dry run removed something")

        let pruning = try store.prune(publishedBefore: cutoff, keep: 2)
        #expect(pruning == dryRun)
        let left = try store.generations()
        #expect(left.map(\.generation) == [first, oslo[1], oslo[2]])
        #expect(left.map(\.models) == [2, 2, 2], "generation \(first) keeps Lima's models only")
        #expect(try store.newest() == served, "what the hosts serve changed")
        #expect(try store.prune(publishedBefore: cutoff, keep: 2) == ModelPruning(), "a second prune found more")

        // Keeping one per model: Oslo's day-20 generation goes too; a window before every
        // publish removes nothing; the newest generation stays whatever the window.
        #expect(try store.prune(publishedBefore: Self.start - Self.day, keep: 1) == ModelPruning())
        let one = try store.prune(publishedBefore: Self.start + 1000 * Self.day, keep: 1)
        #expect(one.models == 2 && one.generations == [oslo[1]], "\(one)")
        #expect(try store.generations().map(\.generation) == [first, oslo[2]])
        #expect(try store.newest() == served)
        #expect(throws: StoreError.self) { try store.prune(publishedBefore: cutoff, keep: 0) }
    }

    @Test("forecast train prunes the generations its publish replaced; prune-models --dry-run says what would go and removes nothing, then prunes",
          .enabled(if: FileManager.default.isExecutableFile(atPath: BuildProducts.forecastExecutable), "needs the forecast executable"))
    func trainAndPruneModelsCommand() throws {
        let url = try SharedModelsTests.freshDatabase("forecast_model_retention_cli")
        let directory = try Scratch("pipeline")
        defer { directory.remove() }
        let store = try PostgresModelStore(url: url)
        // Two generations published 100 and 90 days ago (models made here, as another trainer would).
        let old = ModelRepository(root: directory.file("old/models"))
        try SharedModelsTests.train(old, city: "San Francisco", lastTime: Self.start / 3600 * 3600, level: 285)
        let now = Int64(Date().timeIntervalSince1970)
        let oldest = try Self.publish(["San Francisco"], from: old, store: store, now: now - 100 * Self.day)
        let older = try Self.publish(["San Francisco"], from: old, store: store, now: now - 90 * Self.day)

        let sample = try EndToEnd.forecast(["sample-data", "--out", "sample", "--hours", "\(24 * 21)"], in: directory.path)
        try #require(sample.status == 0, "\(sample.errors)")
        let pipeline = try EndToEnd.forecast(["pipeline", "--temperature", "sample/temperature.csv.zip", "--humidity", "sample/humidity.csv.zip",
                                              "--plugin", "seasonal-naive", "--database", url, "--workdir", "trainer"], in: directory.path)
        try #require(pipeline.status == 0, "\(pipeline.errors)")
        let newest = try store.latestGeneration()
        #expect(pipeline.errors.contains("pruned 2 model(s)") && pipeline.errors.contains("generation(s) \(oldest) older than 30 day(s)"),
                "\(pipeline.errors)")
        #expect(try store.generations().map(\.generation) == [older, newest])

        let arguments = ["prune-models", "--database", url, "--workdir", "trainer", "--retention-days", "7", "--keep-per-model", "1"]
        let dryRun = try EndToEnd.forecast(arguments + ["--dry-run"], in: directory.path)
        #expect(dryRun.status == 0, "\(dryRun.errors)")
        #expect(dryRun.output.contains("would prune 2 model(s)") && dryRun.output.contains("generation(s) \(older) older than 7 day(s)"),
                "\(dryRun.output)")
        #expect(try store.generations().map(\.generation) == [older, newest])
        let pruned = try EndToEnd.forecast(arguments, in: directory.path)
        #expect(pruned.status == 0 && pruned.output.contains("pruned 2 model(s)"), "\(pruned.output) \(pruned.errors)")
        #expect(try store.generations().map(\.generation) == [newest])
        let again = try EndToEnd.forecast(arguments, in: directory.path)
        #expect(again.output.hasPrefix("nothing to prune"), "\(again.output)")
        let refused = try EndToEnd.forecast(["prune-models", "--database", url, "--retention-days", "0"], in: directory.path)
        #expect(refused.status != 0 && refused.errors.contains("--retention-days 0 keeps every generation"), "\(refused.errors)")
    }
}
