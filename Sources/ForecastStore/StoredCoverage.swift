/// The hours one city's variables have stored values at: what a new load is compared with,
/// so that a file covering fewer hours than the store is noticed before it is loaded.
public struct StoredCoverage: Sendable, Equatable {
    /// The hours with a stored temperature (nil: none).
    public var temperature: HourRange?
    /// The hours with a stored humidity (nil: none).
    public var humidity: HourRange?

    /// Creates a coverage.
    public init(temperature: HourRange?, humidity: HourRange?) {
        self.temperature = temperature
        self.humidity = humidity
    }

    /// The range of `variable` (`temperature` or `humidity`).
    public func range(of variable: String) -> HourRange? {
        variable == "temperature" ? temperature : humidity
    }
}

/// A first and last hour (Unix seconds, both included) and how many hours in between have a value.
public struct HourRange: Sendable, Equatable {
    /// The first hour with a value.
    public var first: Int64
    /// The last hour with a value.
    public var last: Int64
    /// The hours with a value (at most `(last - first) / 3600 + 1`).
    public var count: Int

    /// Creates a range.
    public init(first: Int64, last: Int64, count: Int) {
        self.first = first
        self.last = last
        self.count = count
    }

    /// The range of sorted `times`; nil when there are none.
    public init?(_ times: [Int64]) {
        guard let first = times.first, let last = times.last else { return nil }
        self.init(first: first, last: last, count: times.count)
    }

    /// Whether every hour of `other`'s span lies within this one's.
    public func spans(_ other: HourRange) -> Bool { first <= other.first && last >= other.last }

    /// Whether the two spans share at least one hour.
    public func overlaps(_ other: HourRange) -> Bool { first <= other.last && other.first <= last }
}

extension StoredCoverage {
    /// The query both stores run for one city (`placeholder` is the dialect's first
    /// parameter): first hour, last hour and count of temperature values, then of humidity.
    static func query(placeholder: String) -> String {
        """
        SELECT MIN(CASE WHEN temperature IS NOT NULL THEN time END), MAX(CASE WHEN temperature IS NOT NULL THEN time END),
               COUNT(temperature),
               MIN(CASE WHEN humidity IS NOT NULL THEN time END), MAX(CASE WHEN humidity IS NOT NULL THEN time END),
               COUNT(humidity)
        FROM observations WHERE city = \(placeholder)
        """
    }
}
