import ForecastStore
import Foundation
import TestSupport
import Testing

/// The store reads what it writes: a batch's columns come back from `series(city:from:to:)`
/// hour for hour, missing hours NaN, the interpolation marks kept, on both stores.
enum ColumnRead {
    static let start: Int64 = 1_700_002_800

    /// Ten hours of Oslo: hours 3-4 missing, humidity missing at 7, pressure only at 0-1,
    /// the temperature of hour 2 interpolated.
    static var batch: ObservationBatch {
        var temperature = (0..<10).map { 270 + Double($0) }
        var humidity = (0..<10).map { 60 + Double($0) }
        for hour in [3, 4] { temperature[hour] = .nan; humidity[hour] = .nan }
        humidity[7] = .nan
        var imputed = [UInt8](repeating: 0, count: 10)
        imputed[2] = ImputedMask.temperature
        let pressure = (0..<10).map { $0 < 2 ? 1000 + Double($0) : .nan }
        return ObservationBatch([CitySeries(city: "Oslo", start: start,
                                            columns: [.temperature: temperature, .humidity: humidity, .pressure: pressure],
                                            imputed: imputed)])
    }

    static func same(_ a: [Double], _ b: [Double]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
    }

    static func check(_ store: any ObservationStore) throws {
        try store.upsert(batch)
        let written = batch.series[0]
        let read = try #require(try store.series(city: "Oslo", from: nil, to: nil))
        #expect(read.start == start && read.hours == 10)
        for variable in [Variable.temperature, .humidity, .pressure] {
            #expect(same(read[variable], written[variable]), "\(variable.name)")
        }
        #expect(read[.windSpeed].isEmpty)
        #expect(read.imputed == written.imputed)
        // A range starts and ends at stored hours; one with no value is nil.
        let part = try #require(try store.series(city: "Oslo", from: start + 3 * 3600, to: start + 8 * 3600))
        #expect(part.start == start + 5 * 3600 && part.hours == 4 && part[.pressure].isEmpty && part.imputed.isEmpty)
        #expect(try store.series(city: "Oslo", from: start + 3 * 3600, to: start + 4 * 3600) == nil)
        #expect(try store.series(city: "Nowhere", from: nil, to: nil) == nil)
        // The rows read hour by hour are the columns' hours with a value.
        #expect(try store.observations(city: "Oslo", from: nil, to: nil) == read.observations)
        #expect(read.observations.count == 8)
    }
}

@Suite("the column read: SQLite")
struct ColumnReadTests {
    @Test("a batch's columns, missing hours and interpolation marks come back as written")
    func sqlite() throws {
        let directory = try Scratch("store")
        defer { directory.remove() }
        let store = try SQLiteStore(path: directory.file("f.db"))
        try store.migrate()
        try ColumnRead.check(store)
    }
}

extension PostgresStoreTests {
    @Test("a batch's columns, missing hours and interpolation marks come back as written (PostgreSQL)")
    func columnRead() throws {
        try ColumnRead.check(try TestPostgres.freshStore())
    }
}
