/// Ordinary least squares by Householder QR, with coefficient standard errors.
///
/// Used by the unit-root tests (which need the t statistic of one coefficient) and by
/// the Hannan-Rissanen start values. The design is given column by column.
///
/// ```swift
/// let fit = LinearRegressionFit(columns: [ones, x], response: y)
/// fit?.coefficients   // [intercept, slope]
/// fit?.standardErrors
/// ```
public struct LinearRegressionFit: Sendable {
    /// The least-squares coefficients, one per column.
    public let coefficients: [Double]
    /// Their standard errors `sqrt(s² (XᵀX)⁻¹ᵢᵢ)` with `s² = RSS / (n - k)`.
    public let standardErrors: [Double]
    /// The residual sum of squares.
    public let residualSumOfSquares: Double

    /// Fits `response ~ columns`; `nil` when the design is rank-deficient or `n <= k`.
    public init?(columns: [[Double]], response: [Double]) {
        let k = columns.count
        let n = response.count
        guard k > 0, n > k, columns.allSatisfy({ $0.count == n }) else { return nil }
        var a = Array(columns.joined())   // column-major n x k
        var b = response
        var diagonal = [Double](repeating: 0, count: k)
        var norms = [Double](repeating: 0, count: k)
        for j in 0..<k {
            var s = 0.0
            for i in 0..<n { s += a[j * n + i] * a[j * n + i] }
            norms[j] = s.squareRoot()
        }
        var ok = true
        a.withUnsafeMutableBufferPointer { m in
            b.withUnsafeMutableBufferPointer { y in
                for j in 0..<k {
                    let base = j * n
                    var norm = 0.0
                    for i in j..<n { norm += m[base + i] * m[base + i] }
                    norm = norm.squareRoot()
                    guard norm > 1e-11 * max(norms[j], 1e-300), norm.isFinite else { ok = false; return }
                    let alpha = m[base + j] > 0 ? -norm : norm
                    // v = x - alpha e1, stored in place; the diagonal of R is alpha.
                    m[base + j] -= alpha
                    var vnorm2 = 0.0
                    for i in j..<n { vnorm2 += m[base + i] * m[base + i] }
                    diagonal[j] = alpha
                    guard vnorm2 > 0 else { continue }
                    for c in (j + 1)..<max(k, j + 1) {
                        let cb = c * n
                        var dot = 0.0
                        for i in j..<n { dot += m[base + i] * m[cb + i] }
                        let factor = 2 * dot / vnorm2
                        for i in j..<n { m[cb + i] -= factor * m[base + i] }
                    }
                    var dot = 0.0
                    for i in j..<n { dot += m[base + i] * y[i] }
                    let factor = 2 * dot / vnorm2
                    for i in j..<n { y[i] -= factor * m[base + i] }
                }
            }
        }
        guard ok else { return nil }
        // R is upper triangular: R[i][j] = a[j*n+i] for i < j, diagonal separately.
        func r(_ i: Int, _ j: Int) -> Double { i == j ? diagonal[i] : a[j * n + i] }
        var beta = [Double](repeating: 0, count: k)
        for i in stride(from: k - 1, through: 0, by: -1) {
            var s = b[i]
            for j in (i + 1)..<max(k, i + 1) { s -= r(i, j) * beta[j] }
            beta[i] = s / diagonal[i]
        }
        var rss = 0.0
        for i in k..<n { rss += b[i] * b[i] }
        // (XᵀX)⁻¹ = R⁻¹ R⁻ᵀ: invert R column by column.
        var rinv = [Double](repeating: 0, count: k * k)   // row-major
        for c in 0..<k {
            for i in stride(from: c, through: 0, by: -1) {
                var s = i == c ? 1.0 : 0.0
                for j in (i + 1)..<(c + 1) { s -= r(i, j) * rinv[j * k + c] }
                rinv[i * k + c] = s / diagonal[i]
            }
        }
        let s2 = rss / Double(n - k)
        var errors = [Double](repeating: 0, count: k)
        for i in 0..<k {
            var s = 0.0
            for c in i..<k { s += rinv[i * k + c] * rinv[i * k + c] }
            errors[i] = (s2 * s).squareRoot()
        }
        guard beta.allSatisfy(\.isFinite) else { return nil }
        coefficients = beta
        standardErrors = errors
        residualSumOfSquares = rss
    }
}
