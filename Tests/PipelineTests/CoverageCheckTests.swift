@testable import ForecastPipeline
import ForecastStore
import Foundation
import TestSupport
import Testing

/// The rules ingest applies before a load (``CoverageCheck``), one by one.
@Suite("Coverage check: a load must cover what the store holds")
struct CoverageCheckTests {
    static let hour: Int64 = 3600
    static let start: Int64 = 1_483_228_800  // 2017-01-01 00:00 UTC

    /// A summary of one city whose temperature and humidity cover the given hour offsets (nil: no values).
    static func summary(temperature: ClosedRange<Int64>?, humidity: ClosedRange<Int64>?) -> CitySummary {
        func variable(_ range: ClosedRange<Int64>?) -> VariableSummary {
            var summary = VariableSummary()
            if let range {
                summary.firstTime = start + range.lowerBound * hour
                summary.lastTime = start + range.upperBound * hour
                summary.observed = Int(range.count)
            }
            return summary
        }
        return CitySummary(city: "Oslo", rowsRead: 0, hoursSpanned: 0, rowsKept: 0, dropped: CitySummary.DroppedRows(),
                           temperature: variable(temperature), humidity: variable(humidity))
    }

    static func stored(_ range: ClosedRange<Int64>) -> HourRange {
        HourRange(first: start + range.lowerBound * hour, last: start + range.upperBound * hour, count: Int(range.count))
    }

    let check = CoverageCheck(temperatureFile: "t.csv", humidityFile: "h.csv")

    @Test("files that cover at least the stored hours pass; so does any pair of overlapping files into an empty store")
    func coveringFilesPass() {
        let store = ["Oslo": StoredCoverage(temperature: Self.stored(10...100), humidity: Self.stored(10...100))]
        #expect(check.problems([Self.summary(temperature: 0...200, humidity: 10...100)], stored: store).isEmpty)
        #expect(check.problems([Self.summary(temperature: 0...50, humidity: 40...90)], stored: [:]).isEmpty)
    }

    @Test("a file that ends early, starts late or has no values of a stored variable is a problem naming both ranges")
    func shorterFilesAreProblems() throws {
        let store = ["Oslo": StoredCoverage(temperature: Self.stored(10...100), humidity: Self.stored(10...100))]
        let early = check.problems([Self.summary(temperature: 10...60, humidity: 10...100)], stored: store)
        #expect(early == ["t.csv covers Oslo's temperature only 2017-01-01 10:00 .. 2017-01-03 12:00 UTC (51 hours with a value), but the store holds 2017-01-01 10:00 .. 2017-01-05 04:00 UTC (91 hours with a value)"])
        #expect(check.problems([Self.summary(temperature: 10...100, humidity: 11...100)], stored: store).count == 1)
        let none = check.problems([Self.summary(temperature: nil, humidity: 10...100)], stored: store)
        #expect(none == ["t.csv has no temperature values for Oslo, but the store holds 2017-01-01 10:00 .. 2017-01-05 04:00 UTC (91 hours with a value)"])
        let error = #expect(throws: PipelineError.self) {
            try check.check([Self.summary(temperature: 10...60, humidity: 10...100)], stored: store)
        }
        #expect(error?.message.contains("--allow-partial-files") == true)
        // The override lets the same load through.
        let allowed = CoverageCheck(temperatureFile: "t.csv", humidityFile: "h.csv", allowPartialFiles: true)
        #expect(throws: Never.self) { try allowed.check([Self.summary(temperature: 10...60, humidity: 10...100)], stored: store) }
    }

    @Test("two files that share no hour, or one without any values, are problems even for an empty store")
    func disjointFilesAreProblems() {
        let disjoint = check.problems([Self.summary(temperature: 0...50, humidity: 60...90)], stored: [:])
        #expect(disjoint.count == 1 && disjoint[0].hasSuffix("the two files share no hour"), "\(disjoint)")
        #expect(check.problems([Self.summary(temperature: nil, humidity: 0...10)], stored: [:]).count == 1)
        #expect(check.problems([Self.summary(temperature: 0...10, humidity: nil)], stored: [:]).count == 1)
    }

    @Test("a zip with several CSV entries is refused unless the entry is named; messages name the user's file")
    func severalEntries() throws {
        let directory = try Scratch("pipeline")
        defer { directory.remove() }
        let csv = WideCSV.make(cities: ["A"], hours: 5, value: WideCSV.temperature)
        try UnzipTests.archive(directory.file("two.zip"), entries: [("temperature.csv", csv), ("data/other.csv", csv)])
        let error = #expect(throws: PipelineError.self) {
            try Unzipper().extractCSV(from: directory.file("two.zip"), to: directory.file("t.csv"), preferredName: "temperature",
                                      name: "https://example.org/two.zip")
        }
        #expect(error?.message == "https://example.org/two.zip holds 2 CSV entries (temperature.csv, data/other.csv); name the one to use with --temperature-entry")
        #expect(!FileManager.default.fileExists(atPath: directory.file("t.csv")))
        let (entry, _) = try Unzipper().extractCSV(from: directory.file("two.zip"), to: directory.file("t.csv"),
                                                   preferredName: "temperature", entry: "other.csv")
        #expect(entry == "data/other.csv")
    }
}
