/// ISO 8601 UTC timestamps (`2017-11-30T00:00:00Z`), the API's form of ``Timestamp``:
/// the same writer and reader with `T` between date and time and a closing `Z`.
public enum ISOTime {
    /// `seconds` since 1970 as `YYYY-MM-DDTHH:MM:SSZ`.
    public static func format(_ seconds: Int64) -> String {
        Timestamp.format(seconds, separator: "T") + "Z"
    }

    /// `YYYY-MM-DD` of `seconds`.
    public static func date(_ seconds: Int64) -> String {
        String(Timestamp.format(seconds).prefix(10))
    }

    /// Parses `YYYY-MM-DDTHH:MM:SSZ` (the form ``format(_:)`` writes) back to Unix seconds;
    /// nil when malformed or not a real time of day (`2017-02-30`, hour 24).
    public static func parse(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count == 20, bytes[10] == UInt8(ascii: "T"), bytes[19] == UInt8(ascii: "Z") else { return nil }
        return Timestamp.parse(bytes[0..<19])
    }
}
