import Foundation
import ForecastPipeline
import ForecastStore

/// A fresh temporary directory per test, removed by `cleanup()`.
struct TemporaryDirectory {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "forecast-pipeline-tests-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    @discardableResult
    func write(_ name: String, _ text: String) -> String {
        let target = file(name)
        _ = FileManager.default.createFile(atPath: target, contents: Data(text.utf8))
        return target
    }

    func cleanup() { try? FileManager.default.removeItem(atPath: path) }
}

/// Small wide CSVs in the source's layout, for ingest tests.
enum WideCSV {
    /// `hours` rows from 2017-01-01 00:00:00 for `cities`, values from `value(city, hour)` (nil = empty cell).
    static func make(cities: [String], hours: Int, start: String = "2017-01-01 00:00:00",
                     value: (Int, Int) -> String?) -> String {
        let t0 = Timestamp.parse(start)!
        var lines = ["datetime," + cities.joined(separator: ",")]
        for hour in 0..<hours {
            let cells = cities.indices.map { value($0, hour) ?? "" }
            lines.append(Timestamp.format(t0 + Int64(hour) * 3600) + "," + cells.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func temperature(_ city: Int, _ hour: Int) -> String {
        String(format: "%.2f", 285 + Double(city) + 4 * sin(Double(hour) * .pi / 12))
    }

    static func humidity(_ city: Int, _ hour: Int) -> String {
        String(format: "%.1f", 70 + Double(city) - 10 * sin(Double(hour) * .pi / 12))
    }
}

/// A PostgreSQL URL for tests, from FORECAST_TEST_POSTGRES_URL.
enum TestPostgres {
    static var url: String? {
        let value = ProcessInfo.processInfo.environment["FORECAST_TEST_POSTGRES_URL"]
        return value?.isEmpty == false ? value : nil
    }

    static var isConfigured: Bool { url != nil }

    /// A store on the test server with an empty, newly migrated schema (its database is the tests' alone).
    static func freshStore() throws -> PostgresStore {
        let store = try emptyDatabase()
        try store.migrate()
        return store
    }

    /// A connection to the test database with every table dropped, not migrated.
    static func emptyDatabase() throws -> PostgresStore {
        let store = try PostgresStore(url: url!)
        try store.run("DROP SCHEMA public CASCADE")
        try store.run("CREATE SCHEMA public")
        return store
    }
}
