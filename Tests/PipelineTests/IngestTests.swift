import ForecastPipeline
import ForecastStore
import Foundation
import Testing
import TestSupport

@Suite("Ingest: parse, validate, join, fill, load")
struct IngestTests {
    static let cities = ["Vancouver", "San Francisco", "New York"]

    /// Writes the two files, runs ingest for `selection` and loads `store` the way `forecast ingest` does.
    static func ingest(_ directory: Scratch, temperature: String, humidity: String,
                       selection: CitySelection = .named(["San Francisco"]), store: any ObservationStore,
                       policy: GapPolicy = GapPolicy()) throws -> Ingestor.Result {
        let t = directory.write("temperature.csv", temperature)
        let h = directory.write("humidity.csv", humidity)
        let result = try Ingestor(temperaturePath: t, humidityPath: h, selection: selection, gapPolicy: policy,
                                  processedDirectory: directory.file("processed")).run()
        try store.upsert(result.observations)
        return result
    }

    static func store(_ directory: Scratch) throws -> SQLiteStore {
        let store = try SQLiteStore(path: directory.file("store.db"))
        try store.migrate()
        return store
    }

    @Test("a clean pair of files: one row per hour, joined on time, written and loaded")
    func clean() throws {
        let directory = try Scratch("pipeline")
        defer { directory.remove() }
        let store = try Self.store(directory)
        let result = try Self.ingest(directory,
                                     temperature: WideCSV.make(cities: Self.cities, hours: 48, value: WideCSV.temperature),
                                     humidity: WideCSV.make(cities: Self.cities, hours: 48, value: WideCSV.humidity),
                                     store: store)
        let summary = try #require(result.summaries.first)
        #expect(result.summaries.count == 1)
        #expect(summary.city == "San Francisco")
        #expect(summary.rowsRead == 48 && summary.rowsKept == 48 && summary.dropped.total == 0)
        #expect(summary.firstTime == Timestamp.parse("2017-01-01 00:00:00"))
        let stored = try store.observations(city: "San Francisco", from: nil, to: nil)
        #expect(stored.count == 48)
        #expect(stored[5].temperature == Double(WideCSV.temperature(1, 5)))
        #expect(stored[5].humidity == Double(WideCSV.humidity(1, 5)))
        let processed = try ProcessedCSV.read(path: try #require(summary.processedPath), city: "San Francisco")
        #expect(processed == stored)
        let header = try String(contentsOfFile: summary.processedPath!, encoding: .utf8).split(separator: "\n").first
        #expect(header == "datetime,temperature,humidity")
    }

    @Test("short gaps are interpolated, long gaps left open, empty ends trimmed; nothing invented")
    func gaps() throws {
        let directory = try Scratch("pipeline")
        defer { directory.remove() }
        let store = try Self.store(directory)
        // San Francisco temperature: hours 0-1 empty (start), 10-12 empty (3 h: filled),
        // 20-29 empty (10 h: kept open), 45-47 empty (end). Humidity complete except the end.
        let missing = Set([0, 1, 10, 11, 12] + Array(20...29) + Array(45...47))
        let temperature = WideCSV.make(cities: Self.cities, hours: 48) { city, hour in
            city == 1 && missing.contains(hour) ? nil : WideCSV.temperature(city, hour)
        }
        let humidity = WideCSV.make(cities: Self.cities, hours: 48) { city, hour in
            city == 1 && hour >= 46 ? nil : WideCSV.humidity(city, hour)
        }
        let result = try Self.ingest(directory, temperature: temperature, humidity: humidity, store: store)
        let summary = try #require(result.summaries.first)
        #expect(summary.temperature.interpolated == 3)
        #expect(summary.temperature.longGaps == 1 && summary.temperature.longGapHours == 10)
        #expect(summary.temperature.trimmedStart == 2 && summary.temperature.trimmedEnd == 3)
        #expect(summary.temperature.segments == 2)
        #expect(summary.humidity.trimmedEnd == 2)
        #expect(summary.rowsKept == 46 && summary.dropped.trailingEmpty == 2)
        let rows = try store.observations(city: "San Francisco", from: nil, to: nil)
        let t9 = Double(WideCSV.temperature(1, 9))!, t13 = Double(WideCSV.temperature(1, 13))!
        #expect(abs(rows[11].temperature! - (t9 + (t13 - t9) * 2 / 4)) < 1e-9) // hour 11
        #expect(rows[20].temperature == nil && rows[29].temperature == nil)     // the long gap stays open
        #expect(rows[0].temperature == nil && rows[0].humidity != nil)          // humidity observed, temperature not
        // Train would use the newest contiguous temperature run: hours 30-44.
        let stored = try #require(try store.series(city: "San Francisco", from: nil, to: nil))
        let series = try #require(SeriesExtractor(minimumCount: 10).series(stored, variable: .temperature))
        #expect(series.count == 15 && series.startTime == Timestamp.parse("2017-01-01 06:00:00")! + 24 * 3600)
    }

    @Test("--all-cities keeps every column; a missing humidity column is an error")
    func allCities() throws {
        let directory = try Scratch("pipeline")
        defer { directory.remove() }
        let store = try Self.store(directory)
        let result = try Self.ingest(directory,
                                     temperature: WideCSV.make(cities: Self.cities, hours: 24, value: WideCSV.temperature),
                                     humidity: WideCSV.make(cities: Self.cities, hours: 24, value: WideCSV.humidity),
                                     selection: .all, store: store)
        #expect(result.summaries.map(\.city) == Self.cities)
        #expect(try store.cities() == Self.cities.sorted())
    }

    /// Every bad input: a clear error that names the problem, and the store unchanged.
    @Test("bad input is a clear error and leaves the store unchanged", arguments: [
        ("missing city column", "no column 'San Francisco'"),
        ("non-numeric cell", "'warm' is not a number"),
        ("duplicate timestamp", "duplicate timestamp"),
        ("out-of-order timestamps", "out of order"),
        ("out-of-range temperature", "outside the physical range"),
        ("out-of-range humidity", "outside the physical range"),
        ("malformed timestamp", "is not a timestamp"),
        ("not on the hour", "not on the hour"),
        ("wrong field count", "fields, the header has"),
    ])
    func badInput(_ testCase: (String, String)) throws {
        let (name, expected) = testCase
        let directory = try Scratch("pipeline")
        defer { directory.remove() }
        let store = try Self.store(directory)
        _ = try Self.ingest(directory,
                            temperature: WideCSV.make(cities: Self.cities, hours: 24, value: WideCSV.temperature),
                            humidity: WideCSV.make(cities: Self.cities, hours: 24, value: WideCSV.humidity), store: store)
        let before = try store.allObservations()

        var temperature = WideCSV.make(cities: Self.cities, hours: 30, value: WideCSV.temperature)
        var humidity = WideCSV.make(cities: Self.cities, hours: 30, value: WideCSV.humidity)
        var lines = temperature.split(separator: "\n").map(String.init)
        switch name {
        case "missing city column":
            temperature = WideCSV.make(cities: ["Vancouver", "New York"], hours: 30, value: WideCSV.temperature)
        case "non-numeric cell":
            lines[20] = lines[20].replacingOccurrences(of: ",\(WideCSV.temperature(1, 19)),", with: ",warm,")
        case "duplicate timestamp":
            lines[21] = lines[20]
        case "out-of-order timestamps":
            lines.swapAt(10, 11)
        case "out-of-range temperature":
            lines[25] = lines[25].replacingOccurrences(of: ",\(WideCSV.temperature(1, 24)),", with: ",-5.0,")
        case "out-of-range humidity":
            humidity = humidity.replacingOccurrences(of: "," + WideCSV.humidity(1, 3) + ",", with: ",104.0,")
        case "malformed timestamp":
            lines[5] = "2017-01-01T04:00," + lines[5].split(separator: ",", omittingEmptySubsequences: false).dropFirst().joined(separator: ",")
        case "not on the hour":
            lines[5] = lines[5].replacingOccurrences(of: ":00:00,", with: ":30:00,")
        case "wrong field count":
            lines[7] += ",1.0"
        default:
            Issue.record("unknown case \(name)")
        }
        if name != "missing city column" { temperature = lines.joined(separator: "\n") + "\n" }
        let error = #expect(throws: PipelineError.self) {
            _ = try Self.ingest(directory, temperature: temperature, humidity: humidity, store: store)
        }
        #expect(error?.message.contains(expected) == true, "\(name): \(error?.message ?? "no error")")
        #expect(error?.message.contains(".csv") == true, "the message names the file: \(error?.message ?? "")")
        #expect(try store.allObservations() == before, "\(name): the store changed")
    }

    @Test("process() writes nothing; writeFiles() then writes exactly what run() writes")
    func processThenWrite() throws {
        let directory = try Scratch("pipeline")
        defer { directory.remove() }
        let t = directory.write("temperature.csv", WideCSV.make(cities: Self.cities, hours: 60) { city, hour in
            hour % 11 == 4 ? nil : WideCSV.temperature(city, hour)
        })
        let h = directory.write("humidity.csv", WideCSV.make(cities: Self.cities, hours: 60, value: WideCSV.humidity))
        let reference = try Ingestor(temperaturePath: t, humidityPath: h, selection: .all,
                                     processedDirectory: directory.file("reference")).run()
        let processed = try Ingestor(temperaturePath: t, humidityPath: h, selection: .all,
                                     processedDirectory: directory.file("processed")).process()
        #expect(!FileManager.default.fileExists(atPath: directory.file("processed")))
        #expect(processed.result.observations == reference.observations)
        try processed.writeFiles()
        for summary in processed.result.summaries {
            let path = try #require(summary.processedPath)
            let twin = directory.file("reference/" + (path as NSString).lastPathComponent)
            #expect(FileManager.default.contents(atPath: path) == FileManager.default.contents(atPath: twin))
        }
    }

    @Test("forecast ingest: when a processed CSV cannot be written, the store stays as it was (new file and existing store)")
    func processedFileFailureLeavesStore() throws {
        guard FileManager.default.fileExists(atPath: BuildProducts.forecastExecutable) else {
            Issue.record("\(BuildProducts.forecastExecutable) is missing: run `swift build` before `swift test`")
            return
        }
        let directory = try Scratch("pipeline")
        defer { directory.remove() }
        let data = directory.file("forecast-data/data")
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        try WideCSV.make(cities: Self.cities, hours: 48, value: WideCSV.temperature).write(toFile: data + "/temperature.csv", atomically: true, encoding: .utf8)
        try WideCSV.make(cities: Self.cities, hours: 48, value: WideCSV.humidity).write(toFile: data + "/humidity.csv", atomically: true, encoding: .utf8)
        // A file where the processed directory should be: every CSV write fails.
        _ = directory.write("forecast-data/processed", "not a directory")
        let failed = try EndToEnd.forecast(["ingest", "--all-cities"], in: directory.path)
        #expect(failed.status != 0)
        #expect(failed.errors.contains("processed"), "\(failed.errors)")
        #expect(!FileManager.default.fileExists(atPath: directory.file("forecast-data/forecast.db")), "no store was published")

        // With a store in place: loaded once, then a failing ingest of other values leaves it.
        try FileManager.default.removeItem(atPath: directory.file("forecast-data/processed"))
        #expect(try EndToEnd.forecast(["ingest", "--all-cities"], in: directory.path).status == 0)
        let store = try SQLiteStore(path: directory.file("forecast-data/forecast.db"))
        let before = try store.allObservations()
        #expect(before.count == 3 * 48)
        try WideCSV.make(cities: Self.cities, hours: 48) { _, _ in "290.5" }.write(toFile: data + "/temperature.csv", atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: directory.file("forecast-data/processed"))
        _ = directory.write("forecast-data/processed", "not a directory")
        #expect(try EndToEnd.forecast(["ingest", "--all-cities"], in: directory.path).status != 0)
        #expect(try store.allObservations() == before)
    }

    @Test("ingesting the same files twice leaves identical tables")
    func idempotentIngest() throws {
        let directory = try Scratch("pipeline")
        defer { directory.remove() }
        let store = try Self.store(directory)
        let temperature = WideCSV.make(cities: Self.cities, hours: 72) { city, hour in hour % 17 == 3 ? nil : WideCSV.temperature(city, hour) }
        let humidity = WideCSV.make(cities: Self.cities, hours: 72, value: WideCSV.humidity)
        _ = try Self.ingest(directory, temperature: temperature, humidity: humidity, selection: .all, store: store)
        let first = try store.allObservations()
        _ = try Self.ingest(directory, temperature: temperature, humidity: humidity, selection: .all, store: store)
        #expect(try store.allObservations() == first)
    }

    @Test("number parsing matches Double(String) on the source's formats")
    func numbers() throws {
        let directory = try Scratch("pipeline")
        defer { directory.remove() }
        let values = ["284.63", "281.666", "180.1", "273.150000", "299.99999999999999", "2.84e2", "300", "-0", "0"].map { $0 == "-0" || $0 == "0" ? "250.5" : $0 }
        let csv = "datetime,A\n" + values.enumerated().map { "\(Timestamp.format(Int64($0.offset) * 3600)),\($0.element)" }.joined(separator: "\n")
        let table = try WideCSVReader.read(path: directory.write("t.csv", csv), variable: .temperature, selection: .all)
        #expect(table.columns[0] == values.map { Double($0)! })
    }
}
