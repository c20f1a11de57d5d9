import Foundation
import ForecastVocabulary
import Testing

@Suite("Timestamp")
struct TimestampTests {
    @Test("parses and formats the source's format in UTC")
    func roundTrip() {
        #expect(Timestamp.parse("1970-01-01 00:00:00") == 0)
        #expect(Timestamp.parse("2012-10-01 12:00:00") == 1_349_092_800)
        #expect(Timestamp.parse("2016-02-29 23:00:00") == 1_456_786_800)
        #expect(Timestamp.format(1_349_092_800) == "2012-10-01 12:00:00")
        for time in stride(from: Int64(1_300_000_000), to: 1_600_000_000, by: 3_599_999) {
            #expect(Timestamp.parse(Timestamp.format(time)) == time)
        }
    }

    @Test("append writes the same bytes as format")
    func appendMatchesFormat() {
        for time in stride(from: Int64(-86_400 * 400), to: 2_000_000_000, by: 7_654_321) {
            var bytes: [UInt8] = []
            Timestamp.append(time, to: &bytes)
            #expect(String(decoding: bytes, as: UTF8.self) == Timestamp.format(time))
        }
    }

    @Test("refuses malformed timestamps")
    func malformed() {
        for text in ["2012-10-01", "2012-13-01 00:00:00", "2013-02-29 00:00:00", "2012-10-01 24:00:00", "2012/10/01 00:00:00", "abcd-10-01 00:00:00"] {
            #expect(Timestamp.parse(text) == nil, "\(text)")
        }
    }

    @Test("ISO 8601 is the same writer and reader with T and Z, and refuses what is not a real time")
    func isoTime() {
        #expect(ISOTime.format(1_349_092_800) == "2012-10-01T12:00:00Z")
        #expect(ISOTime.date(1_349_092_800) == "2012-10-01")
        for time in stride(from: Int64(-86_400 * 400), to: 2_000_000_000, by: 7_654_321) {
            #expect(ISOTime.format(time) == Timestamp.format(time).replacingOccurrences(of: " ", with: "T") + "Z")
            #expect(ISOTime.parse(ISOTime.format(time)) == time)
        }
        for text in ["2017-02-30T00:00:00Z", "2017-01-01T24:00:00Z", "2017-01-01 00:00:00Z", "2017-01-01T00:00:00", "2017-01-01T00:00:00+01:00"] {
            #expect(ISOTime.parse(text) == nil, "\(text)")
        }
    }
}
