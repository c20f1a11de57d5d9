/// Ordinary least squares by Householder QR (``HouseholderQR``), with coefficient standard errors.
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
    ///
    /// One ``HouseholderQR`` of the design: the coefficients by back substitution on `Q'y`,
    /// the residual sum of squares from the tail of `Q'y`, and `(XᵀX)⁻¹ = R⁻¹R⁻ᵀ` for the
    /// standard errors.
    public init?(columns: [[Double]], response: [Double]) {
        let k = columns.count
        let n = response.count
        guard k > 0, n > k, columns.allSatisfy({ $0.count == n }),
              let qr = try? HouseholderQR(Matrix(columnArrays: columns)),
              qr.firstDependentColumn(tolerance: Self.rankTolerance) == nil,
              response.allSatisfy(\.isFinite) else { return nil }
        let rotated = qr.applyQTranspose(response)
        let beta = qr.solveUpperTriangular(rotated)
        var rss = 0.0
        for i in k..<n { rss += rotated[i] * rotated[i] }
        let r = qr.r
        // Row i of R⁻¹, by back substitution column by column; its squared norm is (XᵀX)⁻¹ᵢᵢ.
        var rinv = [Double](repeating: 0, count: k * k)   // row-major
        for c in 0..<k {
            for i in stride(from: c, through: 0, by: -1) {
                var s = i == c ? 1.0 : 0.0
                for j in (i + 1)..<(c + 1) { s -= r[i, j] * rinv[j * k + c] }
                rinv[i * k + c] = s / r[i, i]
            }
        }
        let s2 = rss / Double(n - k)
        let errors = (0..<k).map { i in
            (s2 * (i..<k).reduce(0.0) { $0 + rinv[i * k + $1] * rinv[i * k + $1] }).squareRoot()
        }
        guard beta.allSatisfy(\.isFinite) else { return nil }
        coefficients = beta
        standardErrors = errors
        residualSumOfSquares = rss
    }

    /// A column whose part orthogonal to the columns before it is at most this share of its
    /// norm makes the design rank-deficient.
    static let rankTolerance = 1e-11
}
