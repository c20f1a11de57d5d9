/// An evenly spaced univariate series, as the host hands it to a plugin.
public struct TimeSeries: Sendable, Equatable {
    /// Observations, oldest first.
    public var values: [Double]
    /// Time of `values[0]`, Unix seconds (UTC).
    public var startTime: Int64
    /// Seconds between observations.
    public var stepSeconds: Int64

    /// Creates a series.
    public init(values: [Double], startTime: Int64, stepSeconds: Int64 = 3600) {
        self.values = values
        self.startTime = startTime
        self.stepSeconds = stepSeconds
    }

    /// Number of observations.
    public var count: Int { values.count }

    /// Time of the last observation.
    public var lastTime: Int64 { startTime + Int64(max(values.count - 1, 0)) * stepSeconds }

    /// How many values are NaN (hours not observed).
    public var missingCount: Int { values.reduce(0) { $1.isNaN ? $0 + 1 : $0 } }

    /// The series without its leading and trailing NaN (nil when every value is NaN), so
    /// that it starts and ends with an observation.
    public func trimmingMissingEnds() -> TimeSeries? {
        guard let first = values.firstIndex(where: { !$0.isNaN }), let last = values.lastIndex(where: { !$0.isNaN }) else {
            return nil
        }
        return first == 0 && last == values.count - 1 ? self : slice(first..<(last + 1))
    }

    /// The observations in `range` (indices), with the start time moved to match.
    public func slice(_ range: Range<Int>) -> TimeSeries {
        TimeSeries(values: Array(values[range]), startTime: startTime + Int64(range.lowerBound) * stepSeconds,
                   stepSeconds: stepSeconds)
    }
}
