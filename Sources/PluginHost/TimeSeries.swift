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

    /// The observations in `range` (indices), with the start time moved to match.
    public func slice(_ range: Range<Int>) -> TimeSeries {
        TimeSeries(values: Array(values[range]), startTime: startTime + Int64(range.lowerBound) * stepSeconds,
                   stepSeconds: stepSeconds)
    }
}
