/// The hours one city's variables have stored values at: what a new load is compared with,
/// so that a file covering fewer hours than the store is noticed before it is loaded.
public struct StoredCoverage: Sendable, Equatable {
    /// Per variable with stored values, the hours it has them at.
    public var ranges: [Variable: HourRange]

    /// Creates a coverage from the ranges of the variables with stored values.
    public init(ranges: [Variable: HourRange]) {
        self.ranges = ranges
    }

    /// Creates a coverage of temperature and humidity (nil: no stored values).
    public init(temperature: HourRange?, humidity: HourRange?) {
        var ranges: [Variable: HourRange] = [:]
        ranges[.temperature] = temperature
        ranges[.humidity] = humidity
        self.init(ranges: ranges)
    }

    /// The hours with a stored temperature (nil: none).
    public var temperature: HourRange? { ranges[.temperature] }
    /// The hours with a stored humidity (nil: none).
    public var humidity: HourRange? { ranges[.humidity] }

    /// The range of `variable` (nil: no stored values).
    public func range(of variable: Variable) -> HourRange? { ranges[variable] }

    /// The variables with stored values, in table order.
    public var variables: [Variable] { Variable.allCases.filter { ranges[$0] != nil } }
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
    /// parameter): per variable of `variables`, the first hour, last hour and count of its
    /// values (three columns each, in order).
    static func query(placeholder: String, variables: [Variable]) -> String {
        let columns = variables.map { variable in
            let name = variable.name
            return "MIN(CASE WHEN \(name) IS NOT NULL THEN time END), MAX(CASE WHEN \(name) IS NOT NULL THEN time END), COUNT(\(name))"
        }
        return "SELECT \(columns.joined(separator: ",\n       ")) FROM observations WHERE city = \(placeholder)"
    }
}
