import ForecastPipeline
import ForecastStore
import Foundation
import ModelFiles
import TestSupport
import Testing

/// `forecast verify-models` on a PostgreSQL store checks the store's models, so a worker
/// with no shared disk (the Airflow DAG's check_models) checks what others trained.
@Suite("verify-models on a PostgreSQL store (needs FORECAST_TEST_POSTGRES_URL)", .serialized,
       .enabled(if: TestPostgres.isConfigured, "FORECAST_TEST_POSTGRES_URL is not set: PostgreSQL tests skipped"))
struct VerifyModelsFromStoreTests {
    /// Trains seasonal-naive for `city` into `repository`: temperature around `kelvin`,
    /// humidity around 60 %.
    static func train(_ repository: ModelRepository, city: String, lastTime: Int64, kelvin: Double) throws {
        try SharedModelsTests.train(repository, city: city, lastTime: lastTime, levels: [("temperature", kelvin), ("humidity", 60.0)])
    }

    @Test("an empty work directory gets the store's newest models and checks them; an implausible newest model fails it",
          .enabled(if: FileManager.default.isExecutableFile(atPath: BuildProducts.forecastExecutable), "needs the forecast executable"))
    func checksTheStoresModels() throws {
        let url = try SharedModelsTests.freshDatabase("forecast_verify_models")
        let directory = try Scratch("pipeline")
        defer { directory.remove() }
        let trainer = ModelRepository(root: directory.file("trainer/models"))
        try Self.train(trainer, city: "Oslo", lastTime: 1_600_000_000 / 3600 * 3600, kelvin: 280)
        let store = try PostgresModelStore(url: url)
        let generation = try #require(try SharedModels.publish(SharedModelsTests.keys(["Oslo"]), repository: trainer, store: store))
        let arguments = ["verify-models", "--database", url, "--workdir", "checker", "--plugin", "seasonal-naive",
                         "--plugin-dir", BuildProducts.directory]
        let run = try EndToEnd.forecast(arguments, in: directory.path)
        #expect(run.status == 0, "\(run.output) \(run.errors)")
        #expect(run.errors.contains("up to generation \(generation) (2 copied into"), "\(run.errors)")
        #expect(run.output.contains("Oslo"), "\(run.output)")
        #expect(FileManager.default.fileExists(atPath: ModelRepository(root: directory.file("checker/models"))
            .path(plugin: "seasonal-naive", city: "Oslo", variable: "temperature")))

        // A newer generation with temperature around 500 K (outside the plausible 173-343 K)
        // is what the checker copies next, and the check fails on it.
        try Self.train(trainer, city: "Oslo", lastTime: 1_600_000_000 / 3600 * 3600 + 3600, kelvin: 500)
        _ = try SharedModels.publish(SharedModelsTests.keys(["Oslo"]), repository: trainer, store: store)
        let failed = try EndToEnd.forecast(arguments, in: directory.path)
        #expect(failed.status != 0, "an implausible model in the store passed: \(failed.output)")
    }
}
