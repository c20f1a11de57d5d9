import ForecastStore
import PluginHost

/// Turns stored observations into the evenly spaced series a plugin trains on.
///
/// Ingest has already interpolated the short gaps, so any remaining hole is a long gap
/// that must not be invented. The series is the most recent contiguous run of observed
/// hours that has at least ``minimumCount`` points (forecasts start after the last
/// hour trained on, so the newest data matters most); when no run is long enough, the
/// longest one is used and the plugin decides whether it suffices.
public struct SeriesExtractor: Sendable {
    /// The fewest points a segment needs to be preferred over an older, longer one (default 336, two weeks).
    public var minimumCount: Int

    /// Creates an extractor.
    public init(minimumCount: Int = 336) {
        self.minimumCount = minimumCount
    }

    /// The chosen segment of `variable` in `observations` (oldest first), or nil when there is no value at all.
    public func series(_ observations: [Observation], variable: Variable) -> TimeSeries? {
        let segments = self.segments(observations, variable: variable)
        if let recent = segments.last(where: { $0.count >= minimumCount }) { return recent }
        return segments.max { $0.count < $1.count }
    }

    /// Every contiguous hourly run of `variable`, oldest first.
    public func segments(_ observations: [Observation], variable: Variable) -> [TimeSeries] {
        var result: [TimeSeries] = []
        var values: [Double] = []
        var start: Int64 = 0
        var previous: Int64 = .min
        for observation in observations {
            let value = variable == .temperature ? observation.temperature : observation.humidity
            guard let value, value.isFinite else { continue }
            if values.isEmpty || observation.time != previous + 3600 {
                if !values.isEmpty { result.append(TimeSeries(values: values, startTime: start, stepSeconds: 3600)) }
                values = []
                start = observation.time
            }
            values.append(value)
            previous = observation.time
        }
        if !values.isEmpty { result.append(TimeSeries(values: values, startTime: start, stepSeconds: 3600)) }
        return result
    }
}
