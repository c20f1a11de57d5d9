import Foundation

/// The stored state of the live accuracy of the served models (see ``AccuracyTracker``),
/// as persisted in `accuracy.json`.
struct AccuracyRecord: Codable, Sendable {
    /// The file format; a file with another version is set aside.
    var version = 1
    /// One entry per route, city and variable.
    var series: [AccuracySeries] = []
}

/// Which forecasts of one route, city and variable were issued, and how they scored.
struct AccuracySeries: Codable, Sendable {
    var route: String
    var city: String
    var variable: String
    /// The newest origin recorded (Unix seconds): a forecast is recorded once per origin.
    var latestOrigin: Int64
    /// Forecasts with leads still waiting for their observation.
    var pending: [PendingForecast] = []
    /// The scores of every origin in the window, per band.
    var scores: [OriginScores] = []
}

/// The forecast issued at `origin` (72 hours after it, in the store's unit), with the
/// error of every lead scored so far.
struct PendingForecast: Codable, Sendable {
    var origin: Int64
    var mean: [Double]
    var lower: [Double]
    var upper: [Double]
    /// Forecast minus observation, per lead; nil until the observation arrives.
    var errors: [Double?]
    /// Whether the lead was compared with the baseline route's error at the same lead.
    var paired: [Bool]

    /// Whether every lead has been scored.
    var isComplete: Bool { errors.allSatisfy { $0 != nil } }
}

/// The scores of one origin, one entry per band (1-24, 25-48, 49-72 h).
struct OriginScores: Codable, Sendable {
    var origin: Int64
    var bands: [BandSums]
}

/// Running sums over scored leads, from which MAE, RMSE, coverage and skill follow.
struct BandSums: Codable, Sendable {
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
