/// The conditional sum of squares of an ARMA process (R's `CSS`, Box and Jenkins).
///
/// Residuals `eₜ = xₜ - Σ φᵢ xₜ₋ᵢ - Σ θⱼ eₜ₋ⱼ` for `t ≥ p`, with earlier residuals taken
/// as zero. Cheap (no covariance recursion) and used for start values and, optionally,
/// for the order search.
public enum ConditionalSumOfSquares {
    /// The sum of squared residuals and their count for zero-mean `values`.
    public static func evaluate(_ values: UnsafeBufferPointer<Double>, ar: [Double], ma: [Double]) -> (sum: Double, count: Int) {
        let p = ar.count, q = ma.count
        let n = values.count
        guard n > p else { return (0, 0) }
        var residuals = [Double](repeating: 0, count: n)
        var sum = 0.0
        residuals.withUnsafeMutableBufferPointer { e in
            for t in p..<n {
                var value = values[t]
                for i in 0..<p { value -= ar[i] * values[t - i - 1] }
                for j in 0..<q where t - j - 1 >= p { value -= ma[j] * e[t - j - 1] }
                e[t] = value
                sum += value * value
            }
        }
        return (sum, n - p)
    }

    /// The residuals themselves (zeros for the first `p`), for Hannan-Rissanen style regressions.
    public static func residuals(_ values: [Double], ar: [Double], ma: [Double]) -> [Double] {
        let p = ar.count, q = ma.count
        var e = [Double](repeating: 0, count: values.count)
        guard values.count > p else { return e }
        for t in p..<values.count {
            var value = values[t]
            for i in 0..<p { value -= ar[i] * values[t - i - 1] }
            for j in 0..<q where t - j - 1 >= p { value -= ma[j] * e[t - j - 1] }
            e[t] = value
        }
        return e
    }
}
