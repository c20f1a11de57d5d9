import ForecastPipeline
import Foundation
import TestSupport
import Testing

@Suite("Sample data")
struct SampleDataTests {
    static let sourceHeader = "datetime,Vancouver,Portland,San Francisco,Seattle,Los Angeles,San Diego,Las Vegas,Phoenix,Albuquerque,Denver,San Antonio,Dallas,Houston,Kansas City,Minneapolis,Saint Louis,Chicago,Nashville,Indianapolis,Atlanta,Detroit,Jacksonville,Charlotte,Miami,Pittsburgh,Toronto,Philadelphia,New York,Montreal,Boston,Beersheba,Tel Aviv District,Eilat,Haifa,Nahariyya,Jerusalem"

    @Test("the source's layout: header, first row mostly empty, hourly from 2012-10-01 12:00, a missing tail")
    func layout() throws {
        let generator = SampleDataGenerator(hours: 24 * 40)
        let (temperature, humidity) = generator.csvBytes()
        for bytes in [temperature, humidity] {
            let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
            #expect(lines.count == 24 * 40 + 1)
            #expect(lines[0] == Self.sourceHeader)
            let first = lines[1].split(separator: ",", omittingEmptySubsequences: false)
            #expect(first[0] == "2012-10-01 12:00:00")
            #expect(first.dropFirst().filter { !$0.isEmpty }.count == 6)
            let last = lines.last!.split(separator: ",", omittingEmptySubsequences: false)
            #expect(last.count == 37)
            #expect(last.suffix(6).allSatisfy { $0.isEmpty })     // the missing tail
            #expect(!last[3].isEmpty || !lines[lines.count - 2].split(separator: ",", omittingEmptySubsequences: false)[3].isEmpty)
        }
    }

    @Test("deterministic: the same seed and size give identical archives; another seed differs")
    func deterministic() throws {
        let directory = try Scratch("pipeline")
        defer { directory.remove() }
        let a = try SampleDataGenerator(hours: 500, seed: 7).write(to: directory.file("a"))
        let b = try SampleDataGenerator(hours: 500, seed: 7).write(to: directory.file("b"))
        let c = try SampleDataGenerator(hours: 500, seed: 8).write(to: directory.file("c"))
        for index in 0..<2 {
            let bytesA = FileManager.default.contents(atPath: a[index])
            #expect(bytesA != nil && bytesA == FileManager.default.contents(atPath: b[index]))
            #expect(bytesA != FileManager.default.contents(atPath: c[index]))
        }
    }

    @Test("realistic: a daily cycle, plausible ranges, short gaps that ingest fills")
    func realistic() throws {
        let directory = try Scratch("pipeline")
        defer { directory.remove() }
        let paths = try SampleDataGenerator(hours: 24 * 60).write(to: directory.path)
        let fetcher = Fetcher(dataDirectory: directory.file("data"))
        _ = try Unzipper().extractCSV(from: paths[0], to: fetcher.csvPath(.temperature), preferredName: "temperature")
        _ = try Unzipper().extractCSV(from: paths[1], to: fetcher.csvPath(.humidity), preferredName: "humidity")
        let result = try Ingestor(temperaturePath: fetcher.csvPath(.temperature), humidityPath: fetcher.csvPath(.humidity),
                                  selection: .all).run()
        #expect(result.summaries.count == 36)
        let interpolated = result.summaries.reduce(0) { $0 + $1.temperature.interpolated + $1.humidity.interpolated }
        #expect(interpolated > 0)
        #expect(result.summaries[2].dropped.leadingEmpty == 1)          // San Francisco's empty first row
        #expect(result.summaries[35].dropped.trailingEmpty > 0)         // Jerusalem's missing tail
        // San Francisco: afternoon (23:00 UTC = 15:00 local) warmer than dawn (13:00 UTC = 05:00 local) on average.
        let sf = result.observations.filter { $0.city == "San Francisco" }
        func mean(hour: Int64) -> Double {
            let values = sf.filter { $0.time % 86_400 / 3600 == hour }.compactMap(\.temperature)
            return values.reduce(0, +) / Double(values.count)
        }
        #expect(mean(hour: 23) - mean(hour: 13) > 4)
        #expect(sf.compactMap(\.temperature).allSatisfy { (265...310).contains($0) })
        #expect(sf.compactMap(\.humidity).allSatisfy { (5...100).contains($0) })
    }
}
