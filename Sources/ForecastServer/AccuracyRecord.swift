/// The stored state of the live accuracy of the served models (see ``AccuracyTracker``),
/// as persisted in `accuracy.bin` (``AccuracyFile``).
///
/// Bounded by construction: per plugin, city and variable, the scores are sums per UTC day
/// of origin (at most ``AccuracyTracker/windowDays`` days), and the forecasts kept are only
/// the leads not scored yet. Forecast values are kept as `Float` (a 32-bit float resolves
/// 3e-5 K at 300 K, far below any forecast error), in memory as in the file, so a restart
/// scores exactly as an uninterrupted run would.
struct AccuracyRecord: Sendable, Equatable {
    /// One entry per plugin, city and variable.
    var series: [AccuracySeries] = []
}

/// Which forecasts of one plugin's served models for one city and variable wait for their
/// observations, and how the scored ones did. Every route serving the plugin serves the
/// same models (one file per plugin, city and variable), so the routes share the series.
struct AccuracySeries: Sendable, Equatable {
    var plugin: String
    var city: String
    var variable: String
    /// The newest origin recorded (Unix seconds): a forecast is recorded once per origin.
    var latestOrigin: Int64
    /// Forecasts with leads still waiting for their observation, oldest origin first.
    var pending: [PendingForecast] = []
    /// The scores of the origins in the window, one entry per UTC day of origin, oldest first.
    var days: [DayScores] = []
}

/// The leads of the forecast issued at `origin` that are not scored yet, in the store's
/// unit: lead `leads[i]` (0-based: lead 0 is the hour after the origin) has mean `mean[i]`
/// and 95% interval `lower[i]...upper[i]`.
struct PendingForecast: Sendable, Equatable {
    var origin: Int64
    var leads: [UInt8]
    var mean: [Float]
    var lower: [Float]
    var upper: [Float]

    /// Drops the leads whose index in ``leads`` is in `scored`.
    mutating func remove(_ scored: Set<Int>) {
        guard !scored.isEmpty else { return }
        let keep = leads.indices.filter { !scored.contains($0) }
        leads = keep.map { leads[$0] }
        mean = keep.map { mean[$0] }
        lower = keep.map { lower[$0] }
        upper = keep.map { upper[$0] }
    }
}

/// The scores of the origins of one UTC day: sums per band (1-24, 25-48, 49-72 h), and
/// per lead the count and the absolute errors (for MAE by lead time).
struct DayScores: Sendable, Equatable {
    /// Days since 1970-01-01 UTC of the origins summed here.
    var day: Int64
    var bands: [BandSums]
    /// Leads scored, per lead (``AccuracyTracker/horizon`` entries).
    var leadCount: [UInt16]
    /// Sum of the absolute errors, per lead.
    var leadAbsolute: [Double]

    init(day: Int64) {
        self.day = day
        bands = Array(repeating: BandSums(), count: AccuracyTracker.bands.count)
        leadCount = Array(repeating: 0, count: AccuracyTracker.horizon)
        leadAbsolute = Array(repeating: 0, count: AccuracyTracker.horizon)
    }
}

/// Running sums over scored leads, from which MAE, RMSE, coverage and skill follow.
struct BandSums: Sendable, Equatable {
    var count = 0
    var absolute = 0.0
    var squares = 0.0
    var inside = 0
    /// Leads also scored on the baseline route (same city, variable, origin, lead), and
    /// the two absolute errors summed over them.
    var pairedCount = 0
    var pairedAbsolute = 0.0
    var pairedBaselineAbsolute = 0.0

    mutating func add(_ other: BandSums) {
        count += other.count
        absolute += other.absolute
        squares += other.squares
        inside += other.inside
        pairedCount += other.pairedCount
        pairedAbsolute += other.pairedAbsolute
        pairedBaselineAbsolute += other.pairedBaselineAbsolute
    }

    /// Mean absolute error, or nil before anything is scored.
    var mae: Double? { count == 0 ? nil : absolute / Double(count) }
    /// Root mean squared error.
    var rmse: Double? { count == 0 ? nil : (squares / Double(count)).squareRoot() }
    /// The share of observations inside the 95% interval.
    var coverage: Double? { count == 0 ? nil : Double(inside) / Double(count) }
    /// 1 - MAE / MAE of the baseline, over the leads scored on both; nil without any, or
    /// when the baseline was exact on all of them.
    var skill: Double? {
        pairedCount == 0 || pairedBaselineAbsolute == 0 ? nil : 1 - pairedAbsolute / pairedBaselineAbsolute
    }
}

/// MAE by lead time over a window: per lead (0-based), the leads scored and their absolute errors.
struct LeadErrors: Sendable, Equatable {
    var count = Array(repeating: 0, count: AccuracyTracker.horizon)
    var absolute = Array(repeating: 0.0, count: AccuracyTracker.horizon)

    mutating func add(_ day: DayScores) {
        for lead in count.indices where lead < day.leadCount.count {
            count[lead] += Int(day.leadCount[lead])
            absolute[lead] += day.leadAbsolute[lead]
        }
    }

    mutating func add(_ other: LeadErrors) {
        for lead in count.indices {
            count[lead] += other.count[lead]
            absolute[lead] += other.absolute[lead]
        }
    }

    /// MAE at each lead, nil where nothing is scored.
    var mae: [Double?] { zip(count, absolute).map { $0 == 0 ? nil : $1 / Double($0) } }
    /// Leads scored in all.
    var total: Int { count.reduce(0, +) }
}
