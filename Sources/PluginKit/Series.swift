import PluginABI

/// One univariate, evenly spaced series as a plugin sees it.
///
/// The export layer copies the host's `fp_series` into this value, so a plugin may keep it.
public struct Series: Sendable, Equatable {
    /// Observations, oldest first.
    public var values: [Double]
    /// Time of `values[0]`, in Unix seconds (UTC).
    public var startTime: Int64
    /// Seconds between consecutive observations (3600 for hourly data).
    public var stepSeconds: Int64

    /// Creates a series.
    public init(values: [Double], startTime: Int64, stepSeconds: Int64) {
        self.values = values
        self.startTime = startTime
        self.stepSeconds = stepSeconds
    }

    /// Number of observations.
    public var count: Int { values.count }

    /// The times a series may start at: the years 1 to 9999 in Unix seconds. Keeping times
    /// and steps in these ranges means `time + horizon * step` cannot overflow.
    public static let validTimes: ClosedRange<Int64> = FP_MIN_TIME...FP_MAX_TIME

    /// The steps a series may have: one second to one year (366 days).
    public static let validSteps: ClosedRange<Int64> = 1...FP_MAX_STEP_SECONDS

    /// Time of the last observation (the start time for an empty series).
    public var lastTime: Int64 {
        startTime + Int64(Swift.max(values.count - 1, 0)) * stepSeconds
    }

    /// Throws `invalidData` naming the first NaN or infinite value, if any.
    ///
    /// ```swift
    /// try series.requireFinite()
    /// ```
    public func requireFinite() throws(PluginError) {
        if let index = values.firstIndex(where: { !$0.isFinite }) {
            throw .invalidData("observation \(index) of \(values.count) is \(values[index]); every value must be finite")
        }
    }

    /// Throws `invalidData` naming the first infinite value, if any; NaN ("not observed")
    /// passes. For a plugin that declares ``ForecastPlugin/acceptsMissingValues``.
    public func requireFiniteOrMissing() throws(PluginError) {
        if let index = values.firstIndex(where: { $0.isInfinite }) {
            throw .invalidData("observation \(index) of \(values.count) is \(values[index]); a value must be finite or NaN (missing)")
        }
    }

    /// How many values are NaN ("not observed").
    public var missingCount: Int { values.reduce(0) { $1.isNaN ? $0 + 1 : $0 } }

    /// Throws `insufficientData` unless the series holds at least `minimum` observations.
    public func requireCount(atLeast minimum: Int, for purpose: String) throws(PluginError) {
        if values.count < minimum {
            throw .insufficientData("\(purpose) needs at least \(minimum) observations; the series has \(values.count)")
        }
    }
}
