import ForecastVocabulary

/// HTTP dates (RFC 9110 IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`) from Unix seconds,
/// without a formatter (the calendar arithmetic is ``CivilDate``'s).
enum HTTPDate {
    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `seconds` since 1970 as an IMF-fixdate.
    static func format(_ seconds: Int64) -> String {
        let (days, secondOfDay) = CivilDate.split(seconds)
        let (year, month, day) = CivilDate.date(days: days)
        let weekday = Int(((days + 4) % 7 + 7) % 7)  // 1970-01-01 was a Thursday
        return weekdays[weekday] + ", " + two(day) + " " + months[Int(month) - 1] + " " + String(year) + " "
            + two(secondOfDay / 3600) + ":" + two(secondOfDay % 3600 / 60) + ":" + two(secondOfDay % 60) + " GMT"
    }

    private static func two(_ value: Int64) -> String {
        value < 10 ? "0" + String(value) : String(value)
    }
}
