import ForecastStore
import Foundation

/// A PostgreSQL URL for tests, from FORECAST_TEST_POSTGRES_URL.
public enum TestPostgres {
    public static var url: String? {
        let value = ProcessInfo.processInfo.environment["FORECAST_TEST_POSTGRES_URL"]
        return value?.isEmpty == false ? value : nil
    }

    public static var isConfigured: Bool { url != nil }

    /// A store on the test server with an empty, newly migrated schema (its database is the tests' alone).
    public static func freshStore() throws -> PostgresStore {
        let store = try emptyDatabase()
        try store.migrate()
        return store
    }

    /// A connection to the test database with every table dropped, not migrated.
    public static func emptyDatabase() throws -> PostgresStore {
        let store = try PostgresStore(url: url!)
        try store.run("DROP SCHEMA public CASCADE")
        try store.run("CREATE SCHEMA public")
        return store
    }
}
