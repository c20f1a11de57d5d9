import Foundation
import ForecastStore
import Locking
import TestSupport
import Testing

/// Hosts that start together migrate one store at once: the advisory lock serialises them.
@Suite("PostgreSQL migrations under a lock (needs FORECAST_TEST_POSTGRES_URL)", .serialized,
       .enabled(if: TestPostgres.isConfigured, "FORECAST_TEST_POSTGRES_URL is not set: PostgreSQL tests skipped"))
struct PostgresMigrationLockTests {
    @Test("four processes' connections migrating an empty database at once all succeed, and the schema is complete once")
    func concurrentMigrations() throws {
        let name = "forecast_migration_race"
        let admin = try PostgresStore(url: TestPostgres.url!)
        try admin.run("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        try admin.run("CREATE DATABASE \(name)")
        let url = TestPostgres.url!.replacingOccurrences(of: "/forecast_test", with: "/\(name)")
        let stores = try (0..<4).map { _ in try PostgresStore(url: url) }
        let errors = Locked<[String]>([])
        DispatchQueue.concurrentPerform(iterations: stores.count) { index in
            do { try stores[index].migrate() } catch { errors.withLock { $0.append("\(error)") } }
        }
        #expect(errors.withLock { $0 }.isEmpty, "\(errors.withLock { $0 })")
        for store in stores { #expect(try store.schemaVersion() == Migration.latestVersion) }
        #expect(try PostgresModelStore(url: url).latestGeneration() == 0)
    }
}
