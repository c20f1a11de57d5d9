/// Hannan-Rissanen start values for an ARMA(p, q) fit.
///
/// A long autoregression estimates the innovations; then `xₜ` is regressed on its own
/// `p` lags and `q` lags of those innovations. A pure AR is fitted by least squares
/// directly. Coefficients that are not stationary (AR) or invertible (MA) are shrunk
/// towards zero until they are, so the estimator always starts inside the valid region.
public enum HannanRissanen {
    /// Start values `(ar, ma)` for zero-mean `values`.
    public static func startValues(_ values: [Double], p: Int, q: Int) -> (ar: [Double], ma: [Double]) {
        let n = values.count
        var ar = [Double](repeating: 0, count: p)
        var ma = [Double](repeating: 0, count: q)
        guard p + q > 0 else { return (ar, ma) }
        var innovations: [Double]? = nil
        var start = p
        if q > 0 {
            let longOrder = min(max(2 * (p + q), 10), max((n - 1) / 10, p + q + 1))
            if n > 3 * longOrder + 10,
               let fit = LinearRegressionFit(columns: (1...longOrder).map { lag in (longOrder..<n).map { values[$0 - lag] } },
                                             response: Array(values[longOrder..<n])) {
                var e = [Double](repeating: 0, count: n)
                for t in longOrder..<n {
                    var value = values[t]
                    for lag in 1...longOrder { value -= fit.coefficients[lag - 1] * values[t - lag] }
                    e[t] = value
                }
                innovations = e
                start = longOrder + q
            }
        }
        if q == 0 || innovations != nil, n > start + p + q + 5 {
            var columns: [[Double]] = []
            for lag in stride(from: 1, through: p, by: 1) { columns.append((start..<n).map { values[$0 - lag] }) }
            if let e = innovations {
                for lag in stride(from: 1, through: q, by: 1) { columns.append((start..<n).map { e[$0 - lag] }) }
            }
            if let fit = LinearRegressionFit(columns: columns, response: Array(values[start..<n])) {
                ar = Array(fit.coefficients[0..<p])
                if innovations != nil { ma = Array(fit.coefficients[p..<(p + q)]) }
            }
        }
        ar = shrink(ar) { ARMAParameterTransform.inverseRootsWithin($0, radius: 0.98) }
        ma = shrink(ma) { ARMAParameterTransform.inverseRootsWithin($0.map { -$0 }, radius: 0.98) }
        return (ar, ma)
    }

    private static func shrink(_ coefficients: [Double], valid: ([Double]) -> Bool) -> [Double] {
        var c = coefficients
        for _ in 0..<50 where !valid(c) {
            var factor = 1.0
            c = c.map { value -> Double in
                factor *= 0.9
                return value * factor
            }
        }
        return valid(c) ? c : [Double](repeating: 0, count: c.count)
    }
}
