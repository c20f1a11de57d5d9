import ForecastStore
import Foundation
import TestSupport
import Testing

/// Runs against a real server when FORECAST_TEST_POSTGRES_URL is set (CI starts one with
/// scripts/postgres-test-server.sh); skipped otherwise. Serialized: the tests share one database.
@Suite("PostgreSQL store (needs FORECAST_TEST_POSTGRES_URL; CI: scripts/postgres-test-server.sh start)",
       .serialized, .enabled(if: TestPostgres.isConfigured, "FORECAST_TEST_POSTGRES_URL is not set: PostgreSQL tests skipped"))
struct PostgresStoreTests {
    @Test("migrate is idempotent; the schema version is recorded")
    func migrations() throws {
        let store = try TestPostgres.freshStore()
        try store.migrate()
        #expect(try store.schemaVersion() == Migration.latestVersion)
    }

    @Test("COPY load, read back, idempotent reload")
    func roundTripAndIdempotence() throws {
        let store = try TestPostgres.freshStore()
        let rows = SQLiteStoreTests.rows("San Francisco", 200) + SQLiteStoreTests.rows("Tab\tand \\ back", 5)
        try store.upsert(rows)
        let first = try store.allObservations()
        #expect(first.count == 205)
        #expect(try store.observations(city: "San Francisco", from: nil, to: nil) == Array(rows[0..<200]))
        #expect(try store.cities() == ["San Francisco", "Tab\tand \\ back"])
        try store.upsert(rows)
        #expect(try store.allObservations() == first)
    }

    @Test("the same rows on SQLite and PostgreSQL read back identically")
    func sameBehaviourAsSQLite() throws {
        let directory = try Scratch("store")
        defer { directory.remove() }
        let sqlite = try SQLiteStore(path: directory.file("same.db"))
        try sqlite.migrate()
        let postgres = try TestPostgres.freshStore()
        let rows = SQLiteStoreTests.rows("Eilat", 300, offset: 0.123456789)
        try sqlite.upsert(rows)
        try postgres.upsert(rows)
        #expect(try sqlite.allObservations() == postgres.allObservations())
    }

    @Test("a batch in columns stores what it stores on SQLite")
    func postgresSameAsSQLite() throws {
        let directory = try Scratch("store")
        defer { directory.remove() }
        let batch = ObservationBatch([ObservationBatchTests.series("Lima", 500), ObservationBatchTests.series("Quito", 300, offset: 0.123456789)])
        let sqlite = try SQLiteStore(path: directory.file("same.db"))
        try sqlite.migrate()
        try sqlite.upsert(batch, progress: { _ in }, beforeCommit: {})
        let postgres = try TestPostgres.freshStore()
        try postgres.upsert(batch, progress: { _ in }, beforeCommit: {})
        #expect(try postgres.allObservations() == sqlite.allObservations())
    }

    @Test("a sequence of loads (new cities, changed, equal and new hours, a mix) leaves the same rows as on SQLite")
    func sameLoadSequenceAsSQLite() throws {
        let directory = try Scratch("store")
        defer { directory.remove() }
        let sqlite = try SQLiteStore(path: directory.file("sequence.db"))
        try sqlite.migrate()
        let postgres = try TestPostgres.freshStore()
        let loads: [[Observation]] = [
            SQLiteStoreTests.rows("Oslo", 100) + SQLiteStoreTests.rows("Rome", 20),        // both new: partitions built
            Array(SQLiteStoreTests.rows("Oslo", 150, offset: 1)[50...]),                  // changed and new hours of a stored city
            SQLiteStoreTests.rows("Rome", 20),                                             // unchanged: nothing rewritten
            SQLiteStoreTests.rows("Lima", 30) + SQLiteStoreTests.rows("Rome", 25, offset: 2), // a new city and a stored one
        ]
        for load in loads {
            try sqlite.upsert(load)
            try postgres.upsert(load)
            #expect(try postgres.allObservations() == sqlite.allObservations())
        }
        #expect(try postgres.cities() == ["Lima", "Oslo", "Rome"])
        #expect(try postgres.observations(city: "Oslo", from: nil, to: nil).count == 150)
    }

    @Test("a schema 1 database with rows is migrated to schema 2 keeping every row")
    func migrationFromSchema1() throws {
        let store = try TestPostgres.emptyDatabase()
        try store.migrate(through: 1)
        try store.run("""
            INSERT INTO observations(city, time, temperature, humidity) VALUES
                ('Zurich', 7200, 271.5, 80), ('Zurich', 3600, NULL, 81.5), ('Athens', 3600, 290.25, NULL)
            """)
        #expect(try store.cities() == ["Athens", "Zurich"])
        try store.migrate()
        #expect(try store.schemaVersion() == Migration.latestVersion)
        #expect(try store.allObservations() == [
            Observation(city: "Athens", time: 3600, temperature: 290.25, humidity: nil),
            Observation(city: "Zurich", time: 3600, temperature: nil, humidity: 81.5),
            Observation(city: "Zurich", time: 7200, temperature: 271.5, humidity: 80),
        ])
        // The migrated cities have partitions: a later load merges into them; a new city gets its own.
        try store.upsert([Observation(city: "Zurich", time: 7200, temperature: 272, humidity: 79),
                          Observation(city: "Bern", time: 3600, temperature: 280, humidity: 70)])
        #expect(try store.cities() == ["Athens", "Bern", "Zurich"])
        #expect(try store.observations(city: "Zurich", from: 7200, to: nil) == [Observation(city: "Zurich", time: 7200, temperature: 272, humidity: 79)])
    }

    @Test("an error from beforeCommit rolls back new partitions and merged rows alike, and comes out as thrown")
    func beforeCommitFailure() throws {
        let store = try TestPostgres.freshStore()
        try store.upsert(SQLiteStoreTests.rows("Oslo", 24))
        let before = try store.allObservations()
        #expect(throws: SQLiteStoreTests.Abandoned()) {
            try store.upsert(SQLiteStoreTests.rows("Oslo", 48, offset: 1) + SQLiteStoreTests.rows("Rome", 5), progress: { _ in }) {
                throw SQLiteStoreTests.Abandoned()
            }
        }
        #expect(try store.allObservations() == before)
        #expect(try store.cities() == ["Oslo"])
        // Rome's partition was rolled back with the rest: loading it again builds it anew.
        try store.upsert(SQLiteStoreTests.rows("Rome", 5))
        #expect(try store.observations(city: "Rome", from: nil, to: nil) == SQLiteStoreTests.rows("Rome", 5))
    }

    @Test("a refused row rolls back the whole COPY load (direct COPY and merge paths)")
    func badRow() throws {
        let store = try TestPostgres.freshStore()
        try store.upsert(SQLiteStoreTests.rows("Boston", 48))
        let before = try store.allObservations()
        var merge = SQLiteStoreTests.rows("Boston", 48, offset: 2)
        merge[40].humidity = 140
        #expect(throws: StoreError.self) { try store.upsert(merge) }
        #expect(try store.allObservations() == before)
        var direct = SQLiteStoreTests.rows("Miami", 48)
        direct[47].temperature = 20
        #expect(throws: StoreError.self) { try store.upsert(direct) }
        #expect(try store.allObservations() == before)
        // Both paths give the same table as SQLite's upsert for the same sequence of loads.
        try store.upsert(SQLiteStoreTests.rows("Miami", 48))
        try store.upsert(SQLiteStoreTests.rows("Miami", 60, offset: 1))
        #expect(try store.observations(city: "Miami", from: nil, to: nil) == SQLiteStoreTests.rows("Miami", 60, offset: 1))
    }

    @Test("the server going away during a load leaves the previous contents (direct COPY and merge paths)",
          arguments: [false, true])
    func serverGoneDuringLoad(touchesStoredCity: Bool) throws {
        let store = try TestPostgres.freshStore()
        try store.upsert(SQLiteStoreTests.rows("Chicago", 100))
        let before = try store.allObservations()
        // Enough rows for several COPY chunks; after the first chunk another session kills
        // this connection's server process (what a server stop does to a session).
        // Only new cities: COPY goes straight into the table; with Chicago: through the merge.
        let big = (0..<30).flatMap { SQLiteStoreTests.rows("City \($0)", 2_000) }
            + (touchesStoredCity ? SQLiteStoreTests.rows("Chicago", 100, offset: 5) : [])
        let killer = try PostgresStore(url: TestPostgres.url!)
        let pid = try store.backendPID()
        var killed = false
        #expect(throws: StoreError.self) {
            try store.upsert(big) { _ in
                if !killed {
                    killed = true
                    try? killer.run("SELECT pg_terminate_backend(\(pid))")
                }
            }
        }
        #expect(killed)
        // The store reconnects on the next call; nothing of the failed load is there.
        #expect(try store.allObservations() == before)
        #expect(try killer.allObservations() == before)
    }
}
