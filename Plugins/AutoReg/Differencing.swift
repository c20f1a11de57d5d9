/// An autoregression on differences `z[t] = y[t] - y[t-D]`, written as the autoregression
/// in levels it implies, so that forecasting, intervals, conditioning and gap filling are
/// those of a plain autoregression.
///
/// Why: fitted once and then conditioned for months (the service retrains rarely), a model
/// in levels pulls every forecast back to the mean of the data it was fitted on: winter's
/// mean in summer. With `D = 24` the forecast keeps yesterday's level and daily shape and
/// the lags model how they change, so it never drifts back to a stale mean, and seasonal
/// naive (`y[t] = y[t-24]`) is the special case with no lags. `z` is an autoregression of
/// order p: `z[t] = d(t) + sum phi_i z[t-i] + e`, hence
/// `y[t] = d(t) + y[t-D] + sum phi_i (y[t-i] - y[t-i-D]) + e`, an autoregression of order
/// `p + D` in levels with a unit root at the seasonal frequencies (its psi weights, and so
/// its intervals, grow as the integrated process's do).
enum Differencing {
    /// `z[t] = y[t] - y[t-lag]`, NaN where either is missing and for `t < lag`.
    static func differenced(_ values: [Double], lag: Int) -> [Double] {
        guard lag > 0 else { return values }
        var z = [Double](repeating: .nan, count: values.count)
        for t in lag..<max(values.count, lag) { z[t] = values[t] - values[t - lag] }
        return z
    }

    /// The level coefficients `a_1 ... a_(p+lag)` of `y[t] = sum a_j y[t-j] + ...` for the
    /// difference coefficients `phi_1 ... phi_p`.
    static func levelCoefficients(_ phi: [Double], lag: Int) -> [Double] {
        guard lag > 0 else { return phi }
        var a = [Double](repeating: 0, count: phi.count + lag)
        for (i, value) in phi.enumerated() {
            a[i] += value
            a[i + lag] -= value
        }
        a[lag - 1] += 1
        return a
    }
}
