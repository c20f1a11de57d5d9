import ForecastVocabulary

/// ISO 8601 UTC timestamps (`2017-11-30T00:00:00Z`) from Unix seconds, without a
/// formatter (the calendar arithmetic is ``CivilDate``'s).
enum ISOTime {
    /// `seconds` since 1970 as `YYYY-MM-DDTHH:MM:SSZ`.
    static func format(_ seconds: Int64) -> String {
        let (days, secondOfDay) = CivilDate.split(seconds)
        let (year, month, day) = CivilDate.date(days: days)
        return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T"
            + pad(secondOfDay / 3600, 2) + ":" + pad(secondOfDay % 3600 / 60, 2) + ":" + pad(secondOfDay % 60, 2) + "Z"
    }

    /// `YYYY-MM-DD` of `seconds`.
    static func date(_ seconds: Int64) -> String {
        String(format(seconds).prefix(10))
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}

extension ISOTime {
    /// Parses `YYYY-MM-DDTHH:MM:SSZ` (the form ``format(_:)`` writes) back to Unix seconds.
    static func parse(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count == 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T"),
              bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"), bytes[19] == UInt8(ascii: "Z") else { return nil }
        func field(_ range: Range<Int>) -> Int64? { Int64(String(decoding: bytes[range], as: UTF8.self)) }
        guard let year = field(0..<4), let month = field(5..<7), let day = field(8..<10),
              let hour = field(11..<13), let minute = field(14..<16), let second = field(17..<19),
              (1...12).contains(month), (1...31).contains(day) else { return nil }
        return CivilDate.days(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second
    }
}
