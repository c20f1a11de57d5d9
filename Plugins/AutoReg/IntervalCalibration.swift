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
enum IntervalCalibration {
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

    /// The quantiles of `(observed - forecast) / sigma_h` at origins over the last
    /// ``window`` hours of `observed` (NaN = missing), forecasting from `filled` (the same
    /// hours with missing values replaced by the model's one-step forecasts); time index
    /// `indexOffset` is that of `observed[0]`. Nil when there are too few errors.
    static func run(model: AutoRegModel, observed: [Double], filled: [Double], indexOffset: Int) -> LeadTimeErrorQuantiles? {
        let n = observed.count
        let p = model.order
        let first = max(p, 1, n - window - horizon)
        guard n - first > horizon else { return nil }
        let sd = model.forecastStandardDeviations(horizon)
        var errors = [[Double]](repeating: [], count: horizon)
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
                }
            }
        }
        return try? LeadTimeErrorQuantiles(errorsByLead: errors)
    }
}
