import ForecastStore
import Foundation
import TestSupport
import Testing

@Suite("Observation batches: rows in columns load as the same rows as a list")
struct ObservationBatchTests {
    static let start: Int64 = 1_500_000_000 / 3600 * 3600

    /// `hours` hours of `city`: every 7th hour has no temperature, every 11th no
    /// humidity, every 77th neither (not a row); `offset` shifts the values.
    static func series(_ city: String, _ hours: Int, offset: Double = 0) -> CitySeries {
        let temperature = (0..<hours).map { $0 % 7 == 0 ? Double.nan : 270 + Double($0 % 24) + offset }
        let humidity = (0..<hours).map { $0 % 11 == 0 ? Double.nan : 50 + Double($0 % 10) + offset }
        return CitySeries(city: city, start: start, temperature: temperature, humidity: humidity)
    }

    /// The rows a series stands for, built the plain way.
    static func expectedRows(_ series: CitySeries) -> [Observation] {
        series.temperature.indices.compactMap { index in
            let t = series.temperature[index], h = series.humidity[index]
            if t.isNaN && h.isNaN { return nil }
            return Observation(city: series.city, time: series.start + Int64(index) * 3600,
                               temperature: t.isNaN ? nil : t, humidity: h.isNaN ? nil : h)
        }
    }

    @Test("rows skip hours with neither value, map NaN to nil, and keep city order")
    func rows() {
        let lima = Self.series("Lima", 200), quito = Self.series("Quito", 80)
        let batch = ObservationBatch([lima, quito])
        let expected = Self.expectedRows(lima) + Self.expectedRows(quito)
        #expect(batch.observations == expected)
        #expect(batch.count == expected.count)
        #expect(expected.count < 280, "the hours with neither value are not rows")
    }

    @Test("a repeated city replaces the earlier series in its place; a city with no row is left out")
    func repeatedAndEmptyCities() {
        let empty = CitySeries(city: "Nowhere", start: Self.start, temperature: [.nan, .nan], humidity: [.nan, .nan])
        let batch = ObservationBatch([Self.series("Lima", 30), empty, Self.series("Quito", 20), Self.series("Lima", 30, offset: 1)])
        #expect(batch.series.map(\.city) == ["Lima", "Quito"])
        #expect(batch.observations == Self.expectedRows(Self.series("Lima", 30, offset: 1)) + Self.expectedRows(Self.series("Quito", 20)))
    }

    @Test("SQLite: a batch, new file or upsert, stores what its list of rows stores (several statements)")
    func sqliteSameAsList() throws {
        let directory = try Scratch("store")
        defer { directory.remove() }
        // More rows than one statement takes, with a last statement that is not full.
        let batch = ObservationBatch([Self.series("Lima", 4000), Self.series("Quito", 1700), Self.series("Oslo", 333)])
        let reference = try SQLiteStore(path: directory.file("list.db"))
        try reference.migrate()
        try reference.upsert(batch.observations)

        var reported: [Int] = []
        #expect(try SQLiteStore.createLoaded(path: directory.file("new.db"), batch: batch) { reported.append($0) })
        #expect(reported.last == batch.count)
        #expect(try SQLiteStore(path: directory.file("new.db")).allObservations() == reference.allObservations())

        let existing = try SQLiteStore(path: directory.file("existing.db"))
        try existing.migrate()
        try existing.upsert(Self.series("Lima", 100, offset: 5).asList)
        try existing.upsert(batch, progress: { _ in }, beforeCommit: {})
        #expect(try existing.allObservations() == reference.allObservations())
    }

    @Test("SQLite: a row the schema refuses is named by its number, city and hour; nothing is written")
    func refusedRowNamed() throws {
        let directory = try Scratch("store")
        defer { directory.remove() }
        let store = try SQLiteStore(path: directory.file("d.db"))
        try store.migrate()
        try store.upsert(Self.series("Lima", 50).asList)
        let before = try store.allObservations()
        var quito = Self.series("Quito", 3000)
        quito.temperature[2900] = 999 // outside the CHECK range, in the second statement
        let batch = ObservationBatch([Self.series("Lima", 50, offset: 1), quito])
        let rows = batch.observations
        let number = try #require(rows.firstIndex { $0.temperature == 999 }) + 1
        let time = Self.start + 2900 * 3600
        let error = try #require(throws: StoreError.self) {
            try store.upsert(batch, progress: { _ in }, beforeCommit: {})
        }
        #expect(error.message.contains("row \(number) (Quito, time \(time)) was refused"), "\(error.message)")
        #expect(try store.allObservations() == before)
        #expect(throws: StoreError.self) {
            try SQLiteStore.createLoaded(path: directory.file("new.db"), batch: batch) { _ in }
        }
        #expect(!FileManager.default.fileExists(atPath: directory.file("new.db")))
    }
}

extension CitySeries {
    /// The series as a list of rows (through a batch of its own).
    var asList: [Observation] { ObservationBatch([self]).observations }
}
