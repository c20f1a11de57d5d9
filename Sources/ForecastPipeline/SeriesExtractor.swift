import ForecastStore
import PluginBinding

/// Cuts the evenly spaced series a plugin trains on out of a city's stored columns
/// (``ObservationStore/series(city:from:to:)``), without a row in between.
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

    /// The chosen segment of `variable` in `city`'s columns, or nil when there is no value at all.
    public func series(_ city: CitySeries, variable: Variable) -> TimeSeries? {
        let segments = self.segments(city, variable: variable)
        if let recent = segments.last(where: { $0.count >= minimumCount }) { return recent }
        return segments.max { $0.count < $1.count }
    }

    /// The series for a plugin that does (`acceptsMissingValues`) or does not accept NaN.
    public func series(_ city: CitySeries, variable: Variable, acceptsMissingValues: Bool) -> TimeSeries? {
        acceptsMissingValues ? fullSeries(city, variable: variable) : series(city, variable: variable)
    }

    /// Every hour from the first to the last observed value of `variable` (oldest first), an
    /// hour without a finite value as NaN; nil when there is no value at all. Both ends are
    /// observed values.
    public func fullSeries(_ city: CitySeries, variable: Variable) -> TimeSeries? {
        let column = city[variable]
        guard let first = column.firstIndex(where: \.isFinite), let last = column.lastIndex(where: \.isFinite) else { return nil }
        let values = column[first...last].map { $0.isFinite ? $0 : .nan }
        return TimeSeries(values: values, startTime: city.time(at: first), stepSeconds: 3600)
    }

    /// Every contiguous hourly run of finite values of `variable`, oldest first.
    public func segments(_ city: CitySeries, variable: Variable) -> [TimeSeries] {
        let column = city[variable]
        var result: [TimeSeries] = []
        var start: Int?
        for index in 0...column.count {
            let observed = index < column.count && column[index].isFinite
            if observed, start == nil { start = index }
            if !observed, let first = start {
                result.append(TimeSeries(values: Array(column[first..<index]), startTime: city.time(at: first), stepSeconds: 3600))
                start = nil
            }
        }
        return result
    }
}
