import ForecastStore
import PluginBinding

/// Turns stored observations into the evenly spaced series a plugin trains on.
///
/// Ingest has already interpolated the short gaps, so any remaining hole is a long gap
/// that must not be invented. A plugin that accepts missing values (the ABI's
/// `FP_CAPABILITY_MISSING_VALUES`) gets all of the history, its holes as NaN
/// (``fullSeries(_:variable:)``). Any other plugin gets finite values only: the most
/// recent contiguous run of observed hours that has at least ``minimumCount`` points
/// (forecasts start after the last hour trained on, so the newest data matters most);
/// when no run is long enough, the longest one, and the plugin decides whether it suffices.
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

    /// The series for a plugin that does (`acceptsMissingValues`) or does not accept NaN.
    public func series(_ observations: [Observation], variable: Variable, acceptsMissingValues: Bool) -> TimeSeries? {
        acceptsMissingValues ? fullSeries(observations, variable: variable) : series(observations, variable: variable)
    }

    /// Every hour from the first to the last observed value of `variable` (oldest first), an
    /// hour without a finite value as NaN; nil when there is no value at all.
    ///
    /// Both ends are observed values. A row whose time is not a whole number of hours after
    /// the first observed hour has no place in the series and is left out.
    public func fullSeries(_ observations: [Observation], variable: Variable) -> TimeSeries? {
        let observed = observations.compactMap { observation -> (time: Int64, value: Double)? in
            let value = observation[variable]
            guard let value, value.isFinite else { return nil }
            return (observation.time, value)
        }
        guard let first = observed.first?.time, let last = observed.map(\.time).max() else { return nil }
        var values = [Double](repeating: .nan, count: Int((last - first) / 3600) + 1)
        for (time, value) in observed where (time - first) % 3600 == 0 {
            values[Int((time - first) / 3600)] = value
        }
        return TimeSeries(values: values, startTime: first, stepSeconds: 3600)
    }

    /// Every contiguous hourly run of `variable`, oldest first.
    public func segments(_ observations: [Observation], variable: Variable) -> [TimeSeries] {
        var result: [TimeSeries] = []
        var values: [Double] = []
        var start: Int64 = 0
        var previous: Int64 = .min
        for observation in observations {
            let value = observation[variable]
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
