import ForecastMath
import PluginKit

/// A model's own multi-step forecast errors at rolling origins while it is conditioned
/// through newer data, for choosing a structure (their mean absolute error) and for
/// calibrating intervals (their quantiles per lead, standardised by the model's `σ_h`).
///
/// Why this way: conditioning keeps the parameters, so the errors are those the published
/// model makes between retrainings, out of sample for the data it is conditioned on. The
/// model is stepped from one origin to the next by the ordinary conditioning, so the
/// result is the model conditioned to the end, exactly as without the errors.
struct RollingOriginErrors {
    /// `standardized[h - 1]`: the errors at lead `h` divided by the model's `σ_h`.
    var standardized: [[Double]]
    var absoluteSum = 0.0
    var count = 0

    /// Mean absolute error over every lead and origin (∞ when none was scored).
    var meanAbsoluteError: Double { count > 0 ? absoluteSum / Double(count) : .infinity }

    /// The calibration these errors give, or nil when some lead has too few.
    var calibration: LeadTimeErrorQuantiles? { try? LeadTimeErrorQuantiles(errorsByLead: standardized) }

    /// Conditions `model` through `newer` (NaN = missing), forecasting `horizon` steps from
    /// index `firstOrigin` and every `stride` steps after it, and scores each forecast
    /// against the observed values of `newer`.
    static func run(_ model: ARIMAModel, through newer: Series, firstOrigin: Int, stride: Int,
                    horizon: Int) throws(PluginError) -> (model: ARIMAModel, errors: RollingOriginErrors) {
        try run(model, through: newer, origins: Array(Swift.stride(from: max(0, firstOrigin), to: newer.count, by: stride)),
                horizon: horizon)
    }

    /// As above, from the given increasing `origins` (indices into `newer`; an origin right
    /// after a missing value is skipped: it would forecast from a forecast).
    static func run(_ model: ARIMAModel, through newer: Series, origins: [Int],
                    horizon: Int) throws(PluginError) -> (model: ARIMAModel, errors: RollingOriginErrors) {
        var errors = RollingOriginErrors(standardized: [[Double]](repeating: [], count: horizon))
        let n = newer.count
        var current = model
        var position = 0
        func advance(to end: Int) throws(PluginError) {
            guard end > position else { return }
            let chunk = Series(values: Array(newer.values[position..<end]),
                               startTime: newer.startTime + Int64(position) * newer.stepSeconds, stepSeconds: newer.stepSeconds)
            current = try current.filtered(through: chunk)
            position = end
        }
        for origin in origins where origin >= position && origin < n {
            try advance(to: origin)
            if origin == 0 || !newer.values[origin - 1].isNaN {
                let (mean, deviation) = current.meansAndDeviations(horizon: horizon)
                for h in 0..<min(horizon, n - origin) where !newer.values[origin + h].isNaN {
                    let error = newer.values[origin + h] - mean[h]
                    guard error.isFinite else { continue }
                    errors.absoluteSum += abs(error)
                    errors.count += 1
                    if deviation[h] > 0 { errors.standardized[h].append(error / deviation[h]) }
                }
            }
        }
        try advance(to: n)
        if n > 0 { current.lastTime = newer.lastTime }
        return (current, errors)
    }
}

/// Where calibrated intervals come from: rolling origins over the newest steps of the data.
enum IntervalCalibrationWindow {
    /// Leads calibrated: three days, the service's horizon (longer leads reuse the last
    /// lead's multipliers on top of the model's growing `σ_h`).
    static let horizon = 72
    /// Steps between origins: prime to 24, so every hour of the day is an origin.
    static let stride = 5
    /// The origins span at most the newest eight weeks of hourly steps: the error level of
    /// the current season.
    static let steps = 56 * 24
    /// Origins within this many steps of the forecast origin's phase in the daily cycle
    /// count (errors depend on the hour of the day: a forecast made at night starts calm).
    /// Three hours either side (seven origins a day) rather than one (three a day): the
    /// quantiles come from 2.3 times as many errors, so the 95% interval's tails are less
    /// noisy, and on the benchmark's tuning series the interval score was unchanged while
    /// the 95% coverage moved towards its nominal level (bench/quality/README.md).
    static let phaseRadius = 3

    /// The origins in the newest ``steps`` of `count` steps (each with ``horizon`` scored
    /// steps after it where the data reach) whose phase in a cycle of `period` steps is
    /// within ``phaseRadius`` of a forecast made after the last of them; every
    /// ``stride``-th step when there is no cycle.
    static func origins(count: Int, period: Int) -> [Int] {
        let first = max(1, count - steps - horizon)
        guard period > 2 * phaseRadius + 1 else { return Array(Swift.stride(from: first, to: count, by: stride)) }
        return (first..<count).filter { origin in
            let lag = (count - origin) % period
            return lag <= phaseRadius || lag >= period - phaseRadius
        }
    }
}
