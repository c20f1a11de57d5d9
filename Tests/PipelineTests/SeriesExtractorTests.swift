import ForecastPipeline
import ForecastStore
import Testing

/// What `forecast train` hands a plugin: the newest gap-free stretch, or (for a plugin that
/// accepts missing values) all of the history with NaN for the missing hours.
@Suite("series extraction")
struct SeriesExtractorTests {
    static let start: Int64 = 1_349_092_800

    /// Hours 0-9 observed, 10-14 missing, 15-29 observed, 30 has no temperature, 31-39 observed;
    /// hour 5 stored twice apart (a row in between has no value).
    static var rows: [Observation] {
        var rows: [Observation] = []
        for hour in 0..<40 where !(10..<15).contains(hour) {
            rows.append(Observation(city: "X", time: start + Int64(hour) * 3600,
                                    temperature: hour == 30 ? nil : Double(hour), humidity: 50))
        }
        return rows
    }

    /// The rows as the store reads them back: columns on the hourly grid (a time between
    /// two hours cannot be stored: `CHECK (time % 3600 = 0)`).
    static func columns(_ rows: [Observation]) throws -> CitySeries {
        try #require(try ObservationBatch(rows: rows).series.first)
    }

    @Test("a plugin without the capability gets the newest gap-free stretch of finite values")
    func newestStretch() throws {
        let series = try #require(SeriesExtractor(minimumCount: 5).series(try Self.columns(Self.rows), variable: .temperature, acceptsMissingValues: false))
        #expect(series.startTime == Self.start + 31 * 3600)
        #expect(series.values == (31..<40).map(Double.init))
        #expect(series.values.allSatisfy { $0.isFinite })
    }

    @Test("a plugin that accepts missing values gets every hour from the first to the last observation, NaN where none")
    func wholeHistory() throws {
        let series = try #require(SeriesExtractor().series(try Self.columns(Self.rows), variable: .temperature, acceptsMissingValues: true))
        #expect(series.startTime == Self.start)
        #expect(series.stepSeconds == 3600)
        #expect(series.count == 40)
        #expect(series.missingCount == 6)
        for hour in 0..<40 {
            if (10..<15).contains(hour) || hour == 30 {
                #expect(series.values[hour].isNaN, "hour \(hour)")
            } else {
                #expect(series.values[hour] == Double(hour), "hour \(hour)")
            }
        }
        #expect(!series.values.first!.isNaN && !series.values.last!.isNaN)
    }

    @Test("the whole history of a variable with no value at all is nil, and trimming keeps observed ends")
    func emptyAndTrimmed() throws {
        let rows = Self.rows.map { Observation(city: $0.city, time: $0.time, temperature: nil, humidity: $0.humidity) }
        #expect(SeriesExtractor().fullSeries(try Self.columns(rows), variable: .temperature) == nil)
        let full = try #require(SeriesExtractor().fullSeries(try Self.columns(Self.rows), variable: .temperature))
        // The newest 27 hours start at hour 13, inside the gap: trimmed, they start at hour 15.
        let tail = full.slice(13..<40)
        let trimmed = try #require(tail.trimmingMissingEnds())
        #expect(trimmed.startTime == Self.start + 15 * 3600)
        #expect(trimmed.count == 25)
    }
}
