import ForecastStore
import Foundation
import TestSupport
import Testing

/// The store holds every variable of the table, and a store written by the schema before
/// pressure and wind speed (version 4) is upgraded without losing a row.
@Suite("Variables in the store")
struct VariableStoreTests {
    static let hour: Int64 = 3600

    /// Rows at schema 4: what the program before pressure wrote (two cities, a NULL, an interpolated mark).
    static let schema4Rows = """
        INSERT INTO city_observations(city_id, time, temperature, humidity, imputed) VALUES
            (1, 3600, 290.25, NULL, 0), (2, 3600, NULL, 81.5, 2), (2, 7200, 271.5, 80, 1)
        """

    static let expectedAfterUpgrade = [
        Observation(city: "Athens", time: 3600, temperature: 290.25, humidity: nil),
        Observation(city: "Zurich", time: 3600, temperature: nil, humidity: 81.5),
        Observation(city: "Zurich", time: 7200, temperature: 271.5, humidity: 80),
    ]

    @Test("every variable has a column, a bit of the imputed mask and an index in table order")
    func tableLayout() {
        #expect(Variable.allCases.map(\.index) == Array(0..<Variable.allCases.count))
        #expect(Set(Variable.allCases.map(\.imputedBit)).count == Variable.allCases.count)
        #expect(ImputedMask.all == 15)
        #expect(Variable(named: "wind-speed") == .windSpeed && Variable(named: "windSpeed") == .windSpeed && Variable(named: "PRESSURE") == .pressure)
        #expect(Variable(named: "rain") == nil)
        for variable in Variable.allCases {
            #expect(variable.plausibleForecastRange.lowerBound <= variable.validRange.lowerBound)
            #expect(variable.plausibleForecastRange.upperBound >= variable.validRange.upperBound)
            #expect(variable.answerUnits.allSatisfy { $0.fromStored(0).isFinite })
        }
        #expect(MeasurementUnit.kilometresPerHour.fromStored(10) == 36)
        #expect(MeasurementUnit.fahrenheit.fromStored(273.15) == 32)
    }

    @Test("a schema 4 SQLite file is upgraded keeping every row and mark; a reader reads it before and after")
    func sqliteUpgrade() throws {
        let directory = try Scratch("store")
        defer { directory.remove() }
        let path = directory.file("v4.db")
        let old = try SQLiteStore(path: path)
        try old.migrate(through: 4)
        try old.run("INSERT INTO cities(id, name) VALUES (1, 'Athens'), (2, 'Zurich')")
        try old.run(Self.schema4Rows)
        // A server reads a schema 4 file without migrating it: the variables it has.
        let reader = try SQLiteStore(path: path, readOnly: true)
        #expect(try reader.allObservations() == Self.expectedAfterUpgrade)
        #expect(try reader.coverage(cities: ["Zurich"])["Zurich"]?.variables == [.temperature, .humidity])

        try old.migrate()
        #expect(try old.schemaVersion() == Migration.latestVersion)
        #expect(try old.allObservations() == Self.expectedAfterUpgrade)
        #expect(try old.imputedMarks(city: "Zurich", from: 0, to: 7200) == [3600: 2, 7200: 1])
        #expect(try reader.allObservations() == Self.expectedAfterUpgrade)
        try Self.loadPressureBeside(old)
    }

    /// Loads pressure and wind speed (a batch, as ingest does, and a list) into a store that
    /// holds temperature and humidity for Zurich, and checks that they join the stored rows.
    static func loadPressureBeside(_ store: any ObservationStore) throws {
        try store.upsert([Observation(city: "Zurich", time: 3600, temperature: nil, humidity: 81.5)])
        // Pressure measured at 3600, interpolated at 7200; wind speed at 7200 only; a new hour at 10800.
        let batch = ObservationBatch([
            CitySeries(city: "Zurich", start: 3600,
                                        columns: [.pressure: [1012, 1013.5, 1015], .windSpeed: [.nan, 3, 4]],
                                        imputed: [0, Variable.pressure.imputedBit, 0]),
        ])
        try store.upsert(batch, progress: { _ in }, beforeCommit: {})
        let zurich = try store.observations(city: "Zurich", from: nil, to: nil)
        #expect(zurich.count == 3)
        #expect(zurich[0] == Observation(city: "Zurich", time: 3600, values: [.humidity: 81.5, .pressure: 1012]))
        #expect(zurich[1][.pressure] == 1013.5 && zurich[1][.windSpeed] == 3)
        #expect(zurich[2] == Observation(city: "Zurich", time: 10800, values: [.pressure: 1015, .windSpeed: 4]))
        if let temperature = zurich[1].temperature { #expect(temperature == 271.5) }
        // An interpolated pressure never replaces a measured one; a measured one replaces an interpolation.
        let again = ObservationBatch([
            CitySeries(city: "Zurich", start: 3600, columns: [.pressure: [1000, 1001]],
                                        imputed: [Variable.pressure.imputedBit, 0]),
        ])
        try store.upsert(again, progress: { _ in }, beforeCommit: {})
        let after = try store.observations(city: "Zurich", from: 3600, to: 7200)
        #expect(after.map { $0[.pressure] } == [1012, 1001])
        #expect((try store.imputedMarks(city: "Zurich", from: 7200, to: 7200)[7200] ?? 0) & Variable.pressure.imputedBit == 0)
        let coverage = try #require(try store.coverage(cities: ["Zurich"])["Zurich"])
        #expect(coverage.range(of: .pressure) == HourRange(first: 3600, last: 10800, count: 3))
        #expect(coverage.range(of: .windSpeed) == HourRange(first: 7200, last: 10800, count: 2))
        // A load of temperature and humidity writes only their columns: the stored pressure and
        // its interpolated mark stay as they are.
        try store.upsert(ObservationBatch([
            CitySeries(city: "Zurich", start: 18000, columns: [.pressure: [1010]], imputed: [Variable.pressure.imputedBit]),
        ]), progress: { _ in }, beforeCommit: {})
        try store.upsert([Observation(city: "Zurich", time: 18000, temperature: 281, humidity: 70)])
        try store.upsert(ObservationBatch([
            CitySeries(city: "Zurich", start: 18000, temperature: [281], humidity: [71]),
        ]), progress: { _ in }, beforeCommit: {})
        #expect(try store.observations(city: "Zurich", from: 18000, to: 18000)
                == [Observation(city: "Zurich", time: 18000, values: [.temperature: 281, .humidity: 71, .pressure: 1010])])
        #expect(try store.imputedMarks(city: "Zurich", from: 18000, to: 18000) == [18000: Variable.pressure.imputedBit])
        // A pressure outside the schema's bounds is refused with the whole load.
        #expect(throws: (any Error).self) {
            try store.upsert([Observation(city: "Zurich", time: 14400, values: [.pressure: 5])])
        }
        #expect(try store.observations(city: "Zurich", from: 14400, to: 14400).isEmpty)
    }
}

/// In the PostgreSQL suite: its tests share one database and run one at a time.
extension PostgresStoreTests {
    @Test("a schema 4 PostgreSQL database (a partition made by the loader) is upgraded keeping every row")
    func postgresUpgrade() throws {
        let store = try TestPostgres.emptyDatabase()
        try store.migrate(through: 4)
        try store.run("INSERT INTO cities(id, name) OVERRIDING SYSTEM VALUE VALUES (1, 'Athens'), (2, 'Zurich')")
        for id in [1, 2] {
            // As the loader makes a new city's partition: LIKE (a local copy of each CHECK), then ATTACH.
            try store.run("CREATE TABLE city_observations_\(id) (LIKE city_observations INCLUDING CONSTRAINTS INCLUDING DEFAULTS, CHECK (city_id = \(id)))")
            try store.run("ALTER TABLE city_observations_\(id) ADD PRIMARY KEY (city_id, time)")
            try store.run("ALTER TABLE city_observations ATTACH PARTITION city_observations_\(id) FOR VALUES IN (\(id))")
        }
        try store.run(VariableStoreTests.schema4Rows)
        let reader = try PostgresStore(url: TestPostgres.url!)
        #expect(try reader.allObservations() == VariableStoreTests.expectedAfterUpgrade)

        try store.migrate()
        #expect(try store.schemaVersion() == Migration.latestVersion)
        #expect(try store.allObservations() == VariableStoreTests.expectedAfterUpgrade)
        #expect(try store.imputedMarks(city: "Zurich", from: 0, to: 7200) == [3600: 2, 7200: 1])
        try VariableStoreTests.loadPressureBeside(store)
    }

    @Test("the same rows of every variable read back identically from SQLite and PostgreSQL")
    func sameOnBothStores() throws {
        let directory = try Scratch("store")
        defer { directory.remove() }
        let sqlite = try SQLiteStore(path: directory.file("same.db"))
        try sqlite.migrate()
        let postgres = try TestPostgres.freshStore()
        for store in [sqlite as any ObservationStore, postgres] {
            try VariableStoreTests.loadPressureBeside(store)
        }
        #expect(try sqlite.allObservations() == postgres.allObservations())
    }
}
