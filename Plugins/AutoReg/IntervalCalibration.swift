import ForecastMath

/// Calibrated intervals: the fitted model's own standardized multi-step errors on its
/// training data, kept as per-lead quantiles (``LeadTimeErrorQuantiles``).
///
/// Why: the Gaussian interval `mean +- z sigma_h` trusts the autoregression to be the
/// truth; on real weather its errors beyond the first hours are larger and heavier-tailed
/// than it believes, so 95% intervals cover less than 95%. Forecasting from many origins
/// across the training data with the final coefficients (as the service does between
/// retrainings) measures the errors that actually happen; dividing each by the model's
/// `sigma_h` keeps the shape over the lead the model knows, and the quantiles correct the
/// multiplier. Only the recent weeks count, and conditioning on enough new data
/// recalibrates on it, because the size of weather's errors changes with the season.
///
/// The size of the errors also changes with the time of day (afternoon temperatures vary
/// more than night ones; humidity near saturation at night hardly at all), so errors are
/// first divided by a scale per hour of the day of the hour forecast (their mean absolute
/// size at that hour over the mean over all hours), and the quantiles are those of what
/// is left: an interval is then narrow at calm hours and wide at volatile ones, rather than
/// too wide at the first and too narrow at the second.
enum IntervalCalibration {
    /// What calibrating found: the quantiles per lead and the scale per hour of the day.
    struct Result: Sendable, Equatable {
        /// Quantiles of the errors divided by sigma_h and by their hour's scale.
        let quantiles: LeadTimeErrorQuantiles
        /// `phaseScales[h - 1][phase]`: the scale at lead h for the hour of the day `phase`
        /// (time index mod the daily cycle's count), mean 1 in absolute error over the
        /// hours; nil when the step does not divide a day or the errors are too few.
        let phaseScales: [[Double]]?
    }

    /// The leads calibrated: three days, the service's horizon; longer leads reuse the
    /// last lead's multipliers (on top of the model's growing sigma_h).
    static let horizon = 72
    /// The origins span the last eight weeks of the data: the error level of the current
    /// season, not the average over years (weather is calmer in some months than others).
    static let window = 56 * 24
    /// Hours between origins (prime to 24, so every hour of the day is an origin).
    static let stride = 5
    /// Conditioning on at least this many new hours recalibrates on them.
    static let recalibrationMinimum = 28 * 24 + horizon
    /// The fewest errors per lead and hour of the day (pooled) for the scales to be estimated.
    static let minimumPerPhase = 30
    /// Lead h's scales pool the errors of leads h - r ... h + r.
    static let scalePoolingRadius = 3

    /// The scale per lead and hour of the day of the hour forecast: the mean absolute error
    /// at that hour over the mean at all hours, both over the leads pooled around it. Per
    /// lead, because how much the hour matters changes with it (from midnight the next
    /// hours are calm and easy to forecast; a day later the night is as uncertain as
    /// the afternoon's accumulated error makes it).
    static func leadPhaseScales(errors: [[Double]], phases: [[Int]], cycle: Int) -> [[Double]]? {
        let leads = errors.count
        var total = [[Double]](repeating: [Double](repeating: 0, count: cycle), count: leads)
        var count = [[Int]](repeating: [Int](repeating: 0, count: cycle), count: leads)
        for h in 0..<leads {
            for (error, phase) in zip(errors[h], phases[h]) {
                total[h][phase] += abs(error)
                count[h][phase] += 1
            }
        }
        var scales: [[Double]] = []
        for h in 0..<leads {
            let window = max(0, h - scalePoolingRadius)...min(leads - 1, h + scalePoolingRadius)
            var sum = [Double](repeating: 0, count: cycle)
            var n = [Int](repeating: 0, count: cycle)
            for j in window {
                for phase in 0..<cycle {
                    sum[phase] += total[j][phase]
                    n[phase] += count[j][phase]
                }
            }
            guard n.allSatisfy({ $0 >= minimumPerPhase }) else { return nil }
            let overall = sum.reduce(0, +) / Double(n.reduce(0, +))
            guard overall > 0, overall.isFinite else { return nil }
            let row = zip(sum, n).map { $0 / Double($1) / overall }
            guard row.allSatisfy({ $0 > 0 && $0.isFinite }) else { return nil }
            scales.append(row)
        }
        return scales
    }

    /// The observations in a day for this step (time index mod it = the hour of the day,
    /// counted from the training series' first observation), or nil when the step does not
    /// divide a day into 2 ... 1000 parts.
    static func dailyCycle(stepSeconds: Int64) -> Int? {
        guard stepSeconds > 0, 86_400 % stepSeconds == 0 else { return nil }
        let count = Int(86_400 / stepSeconds)
        return (2...1000).contains(count) ? count : nil
    }

    /// The quantiles of `(observed - forecast) / sigma_h` at origins over the last
    /// ``window`` hours of `observed` (NaN = missing), forecasting from `filled` (the same
    /// hours with missing values replaced by the model's one-step forecasts); time index
    /// `indexOffset` is that of `observed[0]`. Nil when there are too few errors.
    static func run(model: AutoRegModel, observed: [Double], filled: [Double], indexOffset: Int) -> Result? {
        let n = observed.count
        let p = model.order
        let first = max(p, 1, n - window - horizon)
        guard n - first > horizon else { return nil }
        let sd = model.forecastStandardDeviations(horizon)
        var errors = [[Double]](repeating: [], count: horizon)
        var phases = [[Int]](repeating: [], count: horizon)
        let cycle = dailyCycle(stepSeconds: model.stepSeconds)
        filled.withUnsafeBufferPointer { path in
            var origin = first
            while origin < n {
                defer { origin += stride }
                // An origin right after a missing value would forecast from a forecast.
                guard !observed[origin - 1].isNaN else { continue }
                let leads = min(horizon, n - origin)
                let mean = model.meanPath(after: path, end: origin, firstIndex: indexOffset + origin, horizon: leads)
                for h in 0..<leads where !observed[origin + h].isNaN {
                    errors[h].append((observed[origin + h] - mean[h]) / sd[h])
                    if let cycle { phases[h].append((indexOffset + origin + h) % cycle) }
                }
            }
        }
        var scales: [[Double]]?
        if let cycle, let found = leadPhaseScales(errors: errors, phases: phases, cycle: cycle) {
            scales = found
            for h in 0..<horizon {
                for i in errors[h].indices { errors[h][i] /= found[h][phases[h][i]] }
            }
        }
        guard let quantiles = try? LeadTimeErrorQuantiles(errorsByLead: errors) else { return nil }
        return Result(quantiles: quantiles, phaseScales: scales)
    }
}
