import ForecastStore
import Foundation
import TestSupport
import Testing

/// A load never replaces a stored value with a missing one, on either store; the coverage
/// query reports the hours each variable has values at.
enum MissingOverValue {
    static let base: Int64 = 1_500_000_000 / 3600 * 3600

    /// Loads 100 full hours, then rows with nil temperatures (through the list and the
    /// batch paths): every stored temperature must stay, the new humidities are written.
    static func check(_ store: any ObservationStore) throws {
        let full = (0..<100).map { Observation(city: "Oslo", time: base + Int64($0) * 3600, temperature: 270 + Double($0 % 10), humidity: 50) }
        try store.upsert(full)
        let blanks = (0..<100).map { Observation(city: "Oslo", time: base + Int64($0) * 3600, temperature: nil, humidity: 60) }
        try store.upsert(blanks)
        var expected = full.map { Observation(city: $0.city, time: $0.time, temperature: $0.temperature, humidity: 60) }
        #expect(try store.observations(city: "Oslo", from: nil, to: nil) == expected)

        // The batch path (what ingest uses): NaN is missing; a humidity-only column keeps the temperatures.
        let batch = ObservationBatch([CitySeries(city: "Oslo", start: base,
                                                                  temperature: [Double](repeating: .nan, count: 50),
                                                                  humidity: [Double](repeating: 70, count: 50))])
        try store.upsert(batch, progress: { _ in }, beforeCommit: {})
        for index in 0..<50 { expected[index].humidity = 70 }
        #expect(try store.observations(city: "Oslo", from: nil, to: nil) == expected)

        // A real value still replaces a stored one.
        try store.upsert([Observation(city: "Oslo", time: base, temperature: 300, humidity: nil)])
        expected[0].temperature = 300
        #expect(try store.observations(city: "Oslo", from: nil, to: nil) == expected)

        // An interpolated value (marked imputed) never replaces a measured one; it replaces
        // another interpolated one, and a measured value replaces it.
        func load(_ city: String, _ temperature: Double, imputed: Bool) throws {
            let series = CitySeries(city: city, start: base, temperature: [temperature], humidity: [.nan],
                                                     imputed: imputed ? [ImputedMask.temperature] : [])
            try store.upsert(ObservationBatch([series]), progress: { _ in }, beforeCommit: {})
        }
        try load("Oslo", 250, imputed: true)
        #expect(try store.observations(city: "Oslo", from: nil, to: nil) == expected, "a measured value was replaced by an interpolated one")
        for (value, imputed, stored) in [(280.0, true, 280.0), (281, true, 281), (282, false, 282), (283, true, 282), (284, false, 284)] {
            try load("Trondheim", value, imputed: imputed)
            #expect(try store.observations(city: "Trondheim", from: nil, to: nil).map(\.temperature) == [stored],
                    "after loading \(value) (\(imputed ? "interpolated" : "measured"))")
        }

        // Coverage: temperature and humidity of Oslo over 100 hours; a humidity-only city.
        try store.upsert([Observation(city: "Bergen", time: base + 7200, temperature: nil, humidity: 90),
                          Observation(city: "Bergen", time: base + 36000, temperature: nil, humidity: 91)])
        let coverage = try store.coverage(cities: ["Oslo", "Bergen", "Nowhere"])
        #expect(coverage["Oslo"] == StoredCoverage(temperature: HourRange(first: base, last: base + 99 * 3600, count: 100),
                                                   humidity: HourRange(first: base, last: base + 99 * 3600, count: 100)))
        #expect(coverage["Bergen"] == StoredCoverage(temperature: nil, humidity: HourRange(first: base + 7200, last: base + 36000, count: 2)))
        #expect(coverage["Nowhere"] == nil)
    }
}

@Suite("no missing value over a stored one: SQLite")
struct SQLiteMissingOverValueTests {
    @Test("a load's missing values keep the stored ones; the coverage query counts each variable's hours")
    func sqlite() throws {
        let directory = try Scratch("store")
        defer { directory.remove() }
        let store = try SQLiteStore(path: directory.file("a.db"))
        try store.migrate()
        try MissingOverValue.check(store)
    }
}

// In the PostgreSQL suite itself: its tests share one database and run one at a time.
extension PostgresStoreTests {
    @Test("a load's missing values keep the stored ones; the coverage query counts each variable's hours")
    func missingValuesKeepStoredOnes() throws {
        try MissingOverValue.check(try TestPostgres.freshStore())
    }
}
