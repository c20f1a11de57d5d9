import Foundation
import ForecastStore
@testable import ForecastPipeline
import TestSupport
import Testing

/// Property tests of the two CSV formats: whatever is written reads back exactly.
///
/// Each case draws from a seeded generator, so a failure names a seed that reproduces it.
@Suite("CSV round trips (property tests)")
struct CSVRoundTripPropertyTests {
    static let seeds: [UInt64] = Array(1...12)

    /// A value in `range` with 0 to 6 decimals, as the text a source file would hold.
    private static func cell(_ random: inout SplitMix64, in range: ClosedRange<Double>) -> String {
        let value = range.lowerBound + random.uniform() * (range.upperBound - range.lowerBound)
        switch random.next() % 4 {
        case 0: return String(format: "%.\(random.next() % 7)f", value)
        case 1: return String(Int(value.rounded(.down)))
        case 2: return value.description   // shortest text that round-trips: up to 17 digits
        default: return String(format: "%.17g", value)
        }
    }

    @Test("a wide source CSV parses to exactly the numbers its cells spell, missing cells as NaN", arguments: seeds)
    func wideCSV(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let directory = try Scratch("pipeline")
        defer { directory.remove() }
        let cities = (0..<Int(1 + random.next() % 6)).map { "City \($0)" }
        let hours = Int(1 + random.next() % 400)
        let start: Int64 = 1_349_092_800 + Int64(random.next() % 1000) * 3600
        var text = "datetime," + cities.joined(separator: ",") + "\n"
        var expected = [[Double]](repeating: [], count: cities.count)
        for hour in 0..<hours {
            var row = [Timestamp.format(start + Int64(hour) * 3600)]
            for column in cities.indices {
                if random.next() % 10 == 0 {
                    row.append("")
                    expected[column].append(.nan)
                } else {
                    let cell = Self.cell(&random, in: Variable.temperature.validRange)
                    row.append(cell)
                    expected[column].append(try #require(Double(cell)))
                }
            }
            text += row.joined(separator: ",") + "\n"
        }
        let path = directory.write("temperature.csv", text)
        let table = try WideCSVReader.read(path: path, variable: .temperature, selection: .all)
        #expect(table.cities == cities)
        #expect(table.times == (0..<hours).map { start + Int64($0) * 3600 })
        for column in cities.indices {
            let parsed = table.columns[column].map(\.bitPattern)
            let wanted = expected[column].map { $0.isNaN ? Double.nan.bitPattern : $0.bitPattern }
            #expect(parsed.map { Double(bitPattern: $0).isNaN } == wanted.map { Double(bitPattern: $0).isNaN }, "seed \(seed)")
            #expect(zip(parsed, wanted).allSatisfy { Double(bitPattern: $0).isNaN || $0 == $1 }, "seed \(seed), column \(column)")
        }
    }

    @Test("processed CSV: write then read is the identity", arguments: seeds)
    func processedCSV(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let directory = try Scratch("pipeline")
        defer { directory.remove() }
        var time: Int64 = 1_349_092_800
        var rows: [Observation] = []
        for _ in 0..<Int(random.next() % 500) {
            time += 3600 * Int64(1 + (random.next() % 20 == 0 ? random.next() % 48 : 0))
            func value(_ range: ClosedRange<Double>) -> Double? {
                random.next() % 8 == 0 ? nil : range.lowerBound + random.uniform() * (range.upperBound - range.lowerBound)
            }
            rows.append(Observation(city: "Round Trip", time: time, temperature: value(Variable.temperature.validRange),
                                    humidity: value(Variable.humidity.validRange)))
        }
        let path = directory.file("round-trip.csv")
        try ProcessedCSV.write(rows, to: path)
        #expect(try ProcessedCSV.read(path: path, city: "Round Trip") == rows, "seed \(seed)")
    }
}
