import ForecastStore
import Foundation
import TestSupport
import Testing

@Suite("SQLite store")
struct SQLiteStoreTests {
    static func rows(_ city: String, _ count: Int, offset: Double = 0) -> [Observation] {
        let base: Int64 = 1_500_000_000 / 3600 * 3600
        return (0..<count).map { (index: Int) -> Observation in
            let temperature: Double = 280 + Double(index % 24) + offset
            let humidity: Double? = index % 5 == 0 ? nil : 60 + offset
            return Observation(city: city, time: base + Int64(index) * 3600, temperature: temperature, humidity: humidity)
        }
    }

    @Test("migrations apply once and record their version")
    func migrations() throws {
        let directory = try Scratch("store")
        defer { directory.remove() }
        let store = try SQLiteStore(path: directory.file("a.db"))
        #expect(try store.schemaVersion() == 0)
        try store.migrate()
        try store.migrate()
        #expect(try store.schemaVersion() == Migration.latestVersion)
        let reopened = try StoreFactory.open(url: "sqlite://" + directory.file("a.db"))
        #expect(try reopened.cities().isEmpty)
    }

    @Test("upsert then read back, per city and range, oldest first")
    func roundTrip() throws {
        let directory = try Scratch("store")
        defer { directory.remove() }
        let store = try SQLiteStore(path: directory.file("b.db"))
        try store.migrate()
        let sf = Self.rows("San Francisco", 50)
        let ny = Self.rows("New York", 10)
        try store.upsert(ny.reversed() + sf)
        #expect(try store.cities() == ["New York", "San Francisco"])
        #expect(try store.observations(city: "San Francisco", from: nil, to: nil) == sf)
        #expect(try store.observations(city: "New York", from: ny[2].time, to: ny[4].time) == Array(ny[2...4]))
    }

    @Test("two identical loads leave identical tables; a later load updates in place")
    func idempotence() throws {
        let directory = try Scratch("store")
        defer { directory.remove() }
        let store = try SQLiteStore(path: directory.file("c.db"))
        try store.migrate()
        let rows = Self.rows("Denver", 100)
        try store.upsert(rows)
        let first = try store.allObservations()
        try store.upsert(rows)
        #expect(try store.allObservations() == first)
        let changed = Self.rows("Denver", 100, offset: 1)
        try store.upsert(changed)
        #expect(try store.allObservations() == changed)
    }

    @Test("a row the schema refuses part way rolls back the whole load")
    func failedLoadLeavesPreviousContents() throws {
        let directory = try Scratch("store")
        defer { directory.remove() }
        let store = try SQLiteStore(path: directory.file("d.db"))
        try store.migrate()
        try store.upsert(Self.rows("Boston", 48))
        let before = try store.allObservations()
        var bad = Self.rows("Boston", 48, offset: 2) + Self.rows("Miami", 48)
        bad[70].temperature = 999 // outside the CHECK range, after many good rows
        #expect(throws: StoreError.self) { try store.upsert(bad) }
        #expect(try store.allObservations() == before)
        var offHour = Self.rows("Boston", 3)
        offHour[1].time += 60
        #expect(throws: StoreError.self) { try store.upsert(offHour) }
        #expect(try store.allObservations() == before)
    }

    @Test("duplicate keys within one load: the last one wins")
    func duplicatesInOneLoad() throws {
        let directory = try Scratch("store")
        defer { directory.remove() }
        let store = try SQLiteStore(path: directory.file("e.db"))
        try store.migrate()
        var rows = Self.rows("Haifa", 3)
        var later = rows[1]
        later.temperature = 300
        rows.append(later)
        try store.upsert(rows)
        #expect(try store.observations(city: "Haifa", from: nil, to: nil).map(\.temperature) == [rows[0].temperature, 300, rows[2].temperature])
    }

    @Test("a load after others replaces only the rows it carries; equal rows and rows outside it stay")
    func laterLoadsAreUpserts() throws {
        let directory = try Scratch("store")
        defer { directory.remove() }
        let store = try SQLiteStore(path: directory.file("f.db"))
        try store.migrate()
        let first = Self.rows("Oslo", 100)
        try store.upsert(first + Self.rows("Rome", 10))
        // Hours 50..<150: 50..<100 change, 100..<150 are new, 0..<50 are not in this load.
        let second = Array(Self.rows("Oslo", 150, offset: 1)[50...])
        try store.upsert(second)
        #expect(try store.observations(city: "Oslo", from: nil, to: nil) == Array(first[..<50]) + second)
        #expect(try store.observations(city: "Rome", from: nil, to: nil) == Self.rows("Rome", 10))
        #expect(try store.cities() == ["Oslo", "Rome"])
    }

    @Test("a schema 1 file with rows is migrated to schema 2 keeping every row")
    func migrationFromSchema1() throws {
        let directory = try Scratch("store")
        defer { directory.remove() }
        let path = directory.file("v1.db")
        let old = try SQLiteStore(path: path)
        try old.migrate(through: 1)
        try old.run("""
            INSERT INTO observations(city, time, temperature, humidity) VALUES
                ('Zurich', 7200, 271.5, 80), ('Zurich', 3600, NULL, 81.5), ('Athens', 3600, 290.25, NULL)
            """)
        #expect(try old.schemaVersion() == 1)
        // A server reads a schema 1 file without migrating it.
        let reader = try SQLiteStore(path: path, readOnly: true)
        #expect(try reader.cities() == ["Athens", "Zurich"])
        #expect(try reader.observations(city: "Zurich", from: nil, to: nil).map(\.time) == [3600, 7200])

        try old.migrate()
        #expect(try old.schemaVersion() == Migration.latestVersion)
        let expected = [
            Observation(city: "Athens", time: 3600, temperature: 290.25, humidity: nil),
            Observation(city: "Zurich", time: 3600, temperature: nil, humidity: 81.5),
            Observation(city: "Zurich", time: 7200, temperature: 271.5, humidity: 80),
        ]
        #expect(try old.allObservations() == expected)
        #expect(try reader.cities() == ["Athens", "Zurich"])
        // Loads after the upgrade go on from there.
        try old.upsert([Observation(city: "Zurich", time: 7200, temperature: 272, humidity: 79),
                        Observation(city: "Bern", time: 3600, temperature: 280, humidity: 70)])
        #expect(try old.cities() == ["Athens", "Bern", "Zurich"])
        #expect(try old.observations(city: "Zurich", from: 7200, to: 7200) == [Observation(city: "Zurich", time: 7200, temperature: 272, humidity: 79)])
    }

    /// The error a caller's `beforeCommit` throws.
    struct Abandoned: Error, Equatable {}

    @Test("an error from beforeCommit rolls the whole load back and comes out as it was thrown")
    func beforeCommitFailure() throws {
        let directory = try Scratch("store")
        defer { directory.remove() }
        let store = try SQLiteStore(path: directory.file("g.db"))
        try store.migrate()
        try store.upsert(Self.rows("Oslo", 24))
        let before = try store.allObservations()
        var called = 0
        #expect(throws: Abandoned()) {
            try store.upsert(Self.rows("Oslo", 48, offset: 1) + Self.rows("Rome", 5), progress: { _ in }) {
                called += 1
                throw Abandoned()
            }
        }
        #expect(called == 1)
        #expect(try store.allObservations() == before)
        #expect(try store.cities() == ["Oslo"])
        try store.upsert(Self.rows("Rome", 5), progress: { _ in }) { called += 1 }
        #expect(called == 2)
        #expect(try store.cities() == ["Oslo", "Rome"])
    }

    @Test("a bad URL is a clear error")
    func badURL() {
        #expect(throws: StoreError.self) { try StoreFactory.open(url: "mysql://x") }
        #expect(throws: StoreError.self) { try StoreFactory.open(url: "sqlite:///nonexistent-dir-\(UUID())/sub/\u{0}x.db") }
    }
}
