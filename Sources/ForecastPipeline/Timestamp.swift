/// The source's timestamp format, `YYYY-MM-DD HH:MM:SS` in UTC, to and from Unix seconds.
///
/// Pure arithmetic on the proleptic Gregorian calendar (no Foundation formatter),
/// so it is fast enough for millions of cells and identical on every platform.
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
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
              hour < 24, minute < 60, second < 60 else { return nil }
        return daysFromCivil(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second
    }

    /// Parses a string in the source's format.
    public static func parse(_ text: String) -> Int64? {
        parse(Array(text.utf8))
    }

    /// Formats Unix seconds as `YYYY-MM-DD HH:MM:SS` (UTC).
    public static func format(_ time: Int64) -> String {
        var days = time / 86_400
        var seconds = time % 86_400
        if seconds < 0 {
            seconds += 86_400
            days -= 1
        }
        let (year, month, day) = civil(fromDays: days)
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        var yearText = String(year)
        while yearText.count < 4 { yearText = "0" + yearText }
        return "\(yearText)-\(two(month))-\(two(day)) \(two(seconds / 3600)):\(two(seconds % 3600 / 60)):\(two(seconds % 60))"
    }

    /// Appends `format(time)` to `bytes` without building a String.
    public static func append(_ time: Int64, to bytes: inout [UInt8]) {
        var days = time / 86_400
        var seconds = time % 86_400
        if seconds < 0 {
            seconds += 86_400
            days -= 1
        }
        let (year, month, day) = civil(fromDays: days)
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
    static func writeDate(ofDay days: Int64, to target: UnsafeMutablePointer<UInt8>) {
        let (year, month, day) = civil(fromDays: days)
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

    static func isLeap(_ year: Int64) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The civil date of a day count since 1970-01-01.
    static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
