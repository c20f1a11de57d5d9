/// The source's timestamp format, `YYYY-MM-DD HH:MM:SS` in UTC, to and from Unix seconds:
/// the one writer and reader of civil times (``ISOTime`` is this with `T` and `Z`).
///
/// Pure arithmetic on the proleptic Gregorian calendar (``CivilDate``, no Foundation
/// formatter), so it is fast enough for millions of cells and identical on every platform.
public enum Timestamp {
    /// Parses `YYYY-MM-DD HH:MM:SS` (exactly 19 bytes); nil when malformed or out of range.
    public static func parse<C: Collection>(_ bytes: C) -> Int64? where C.Element == UInt8 {
        guard bytes.count == 19 else { return nil }
        var digits = [Int64](repeating: 0, count: 14)
        var position = 0
        for (offset, byte) in bytes.enumerated() {
            switch offset {
            case 4, 7:
                guard byte == UInt8(ascii: "-") else { return nil }
            case 10:
                guard byte == UInt8(ascii: " ") || byte == UInt8(ascii: "T") else { return nil }
            case 13, 16:
                guard byte == UInt8(ascii: ":") else { return nil }
            default:
                guard byte >= 48, byte <= 57 else { return nil }
                digits[position] = Int64(byte - 48)
                position += 1
            }
        }
        let year = digits[0] * 1000 + digits[1] * 100 + digits[2] * 10 + digits[3]
        let month = digits[4] * 10 + digits[5]
        let day = digits[6] * 10 + digits[7]
        let hour = digits[8] * 10 + digits[9]
        let minute = digits[10] * 10 + digits[11]
        let second = digits[12] * 10 + digits[13]
        guard (1...12).contains(month), day >= 1, day <= CivilDate.daysIn(month: month, year: year),
              hour < 24, minute < 60, second < 60 else { return nil }
        return CivilDate.days(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second
    }

    /// Parses a string in the source's format.
    public static func parse(_ text: String) -> Int64? {
        parse(Array(text.utf8))
    }

    /// Formats Unix seconds as `YYYY-MM-DD HH:MM:SS` (UTC).
    public static func format(_ time: Int64) -> String { format(time, separator: " ") }

    /// Formats Unix seconds as `YYYY-MM-DD HH:MM:SS` (UTC), with `separator` between the
    /// date and the time (`T` for ISO 8601).
    public static func format(_ time: Int64, separator: Character) -> String {
        let (days, seconds) = CivilDate.split(time)
        let (year, month, day) = CivilDate.date(days: days)
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        var yearText = String(year)
        while yearText.count < 4 { yearText = "0" + yearText }
        return "\(yearText)-\(two(month))-\(two(day))\(separator)\(two(seconds / 3600)):\(two(seconds % 3600 / 60)):\(two(seconds % 60))"
    }

    /// Appends `format(time)` to `bytes` without building a String.
    public static func append(_ time: Int64, to bytes: inout [UInt8]) {
        let (days, seconds) = CivilDate.split(time)
        let (year, month, day) = CivilDate.date(days: days)
        guard year >= 0 && year <= 9999 else {
            bytes.append(contentsOf: format(time).utf8)
            return
        }
        let hour = seconds / 3600, minute = seconds % 3600 / 60, second = seconds % 60
        func digit(_ value: Int64) -> UInt8 { UInt8(ascii: "0") + UInt8(truncatingIfNeeded: value % 10) }
        bytes.append(digit(year / 1000))
        bytes.append(digit(year / 100))
        bytes.append(digit(year / 10))
        bytes.append(digit(year))
        bytes.append(UInt8(ascii: "-"))
        bytes.append(digit(month / 10))
        bytes.append(digit(month))
        bytes.append(UInt8(ascii: "-"))
        bytes.append(digit(day / 10))
        bytes.append(digit(day))
        bytes.append(UInt8(ascii: " "))
        bytes.append(digit(hour / 10))
        bytes.append(digit(hour))
        bytes.append(UInt8(ascii: ":"))
        bytes.append(digit(minute / 10))
        bytes.append(digit(minute))
        bytes.append(UInt8(ascii: ":"))
        bytes.append(digit(second / 10))
        bytes.append(digit(second))
    }

    /// Writes `YYYY-MM-DD ` (11 bytes) of the day `days` after 1970-01-01 at `target`;
    /// a year outside 0...9999 is written as its last four digits (the parser reads only four).
    public static func writeDate(ofDay days: Int64, to target: UnsafeMutablePointer<UInt8>) {
        let (year, month, day) = CivilDate.date(days: days)
        func digit(_ value: Int64) -> UInt8 { UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: ((value % 10) + 10) % 10) }
        target[0] = digit(year / 1000)
        target[1] = digit(year / 100)
        target[2] = digit(year / 10)
        target[3] = digit(year)
        target[4] = UInt8(ascii: "-")
        target[5] = digit(month / 10)
        target[6] = digit(month)
        target[7] = UInt8(ascii: "-")
        target[8] = digit(day / 10)
        target[9] = digit(day)
        target[10] = UInt8(ascii: " ")
    }
}
