// Least squares by Householder QR.
//
// Why QR and not the normal equations: forming X'X squares the condition number of the
// design. Autoregressive designs on weather data are badly conditioned (temperature in
// kelvin is ~280 +- 10, so every lag column is nearly parallel to the constant, and
// neighbouring lags are nearly parallel to each other); Cholesky on X'X would lose about
// twice as many digits as QR, and parity with statsmodels (which uses an SVD-based
// pseudo-inverse) to 1e-8 would not survive. Householder QR is backward stable, costs
// about twice the normal equations (2mn^2 flops instead of mn^2), and needs no pivoting
// here because the column order carries meaning: deterministic terms first, then lag 1,
// lag 2, ... A QR without pivoting of [X | y] gives, for every k, the least-squares fit
// on the leading k columns of X for free (see ``NestedLeastSquares``), which is exactly
// what lag-order selection needs.

/// Why a least-squares problem could not be solved.
public enum LeastSquaresError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The response length does not match the design's row count (or similar shape errors).
    case dimensionMismatch(String)
    /// Fewer observations (rows) than parameters (columns).
    case underdetermined(rows: Int, columns: Int)
    /// The design or the response holds NaN or infinity.
    case notFinite
    /// Column `column` (zero-based) is numerically a linear combination of the columns
    /// before it: the part of it orthogonal to them is only `relativeResidual` of its norm.
    case rankDeficient(column: Int, relativeResidual: Double)

    /// A sentence saying what went wrong.
    public var description: String {
        switch self {
        case .dimensionMismatch(let text):
            return "least squares: \(text)"
        case .underdetermined(let rows, let columns):
            return "least squares: \(rows) observations cannot determine \(columns) parameters"
        case .notFinite:
            return "least squares: the design or the response contains NaN or infinity"
        case .rankDeficient(let column, let residual):
            return "least squares: the design is rank-deficient: column \(column) is a linear combination of the columns before it (relative residual \(residual))"
        }
    }
}

/// The Householder QR factorisation `A = Q R` of a tall `m` x `n` matrix (`m >= n`), without pivoting.
///
/// `Q` is kept implicitly as `n` Householder reflections; `R` is `n` x `n` upper triangular.
/// Columns are never reordered, so the leading `k` columns of `R` factor the leading `k`
/// columns of `A` for every `k`.
///
/// ```swift
/// let qr = try HouseholderQR(design)
/// try qr.requireFullRank()
/// let beta = qr.solve(response)            // least-squares coefficients
/// ```
public struct HouseholderQR: Sendable {
    /// Rows of the factored matrix.
    public let rows: Int
    /// Columns of the factored matrix.
    public let columns: Int
    /// Column-major: the strict upper triangle holds R above its diagonal; column k from
    /// row k down holds the Householder vector v_k (v_k[0] stored at row k).
    private var factors: [Double]
    /// The diagonal of R.
    public private(set) var diagonal: [Double]
    /// beta_k of each reflection H_k = I - beta_k v_k v_k' (0 for a skipped reflection).
    private var betas: [Double]
    /// Euclidean norm of each original column of A (for the rank test).
    public private(set) var columnNorms: [Double]

    /// Factors `matrix` (which must have at least as many rows as columns and finite elements).
    public init(_ matrix: Matrix) throws(LeastSquaresError) {
        guard matrix.rows >= matrix.columns else {
            throw .underdetermined(rows: matrix.rows, columns: matrix.columns)
        }
        guard matrix.isFinite else { throw .notFinite }
        rows = matrix.rows
        columns = matrix.columns
        factors = matrix.storage
        diagonal = [Double](repeating: 0, count: matrix.columns)
        betas = [Double](repeating: 0, count: matrix.columns)
        columnNorms = [Double](repeating: 0, count: matrix.columns)
        let (m, n) = (rows, columns)
        factors.withUnsafeMutableBufferPointer { a in
            for j in 0..<n { columnNorms[j] = Kernels.norm(a, start: j * m, count: m) }
            for k in 0..<n {
                let base = k * m + k
                let length = m - k
                let norm = Kernels.norm(a, start: base, count: length)
                guard norm > 0 else {
                    diagonal[k] = 0
                    betas[k] = 0
                    continue
                }
                let x0 = a[base]
                // alpha takes the sign opposite to x0 so that v0 = x0 - alpha never cancels.
                let alpha = x0 >= 0 ? -norm : norm
                a[base] = x0 - alpha
                let beta = 1 / (norm * (norm + abs(x0)))
                diagonal[k] = alpha
                betas[k] = beta
                for j in (k + 1)..<max(n, k + 1) {
                    let target = j * m + k
                    let scale = beta * Kernels.dot(a, base, a, target, count: length)
                    if scale != 0 { Kernels.axpy(-scale, a, base, into: a, target, count: length) }
                }
            }
        }
    }

    /// The upper-triangular factor R (`columns` x `columns`).
    public var r: Matrix {
        var result = Matrix(rows: columns, columns: columns)
        for j in 0..<columns {
            for i in 0..<j { result[i, j] = factors[j * rows + i] }
            result[j, j] = diagonal[j]
        }
        return result
    }

    /// For each column k, the norm of its part orthogonal to columns 0..<k, relative to
    /// its own norm: `|R[k,k]| / ||A[:,k]||` (0 for a zero column).
    ///
    /// This is the sine of the angle between column k and the span of the columns before
    /// it; a value near rounding level means column k adds nothing new.
    public var relativeDiagonal: [Double] {
        (0..<columns).map { columnNorms[$0] > 0 ? abs(diagonal[$0]) / columnNorms[$0] : 0 }
    }

    /// The first column whose relative diagonal (see ``relativeDiagonal``) is at most
    /// `tolerance`, or `nil` when the matrix has full column rank at that tolerance.
    public func firstDependentColumn(tolerance: Double = LeastSquares.defaultRankTolerance) -> Int? {
        relativeDiagonal.firstIndex { !($0 > tolerance) }
    }

    /// Throws ``LeastSquaresError/rankDeficient(column:relativeResidual:)`` unless the
    /// leading `leadingColumns` columns (all by default) have full rank at `tolerance`.
    public func requireFullRank(leadingColumns: Int? = nil,
                                tolerance: Double = LeastSquares.defaultRankTolerance) throws(LeastSquaresError) {
        let count = leadingColumns ?? columns
        let relative = relativeDiagonal
        for k in 0..<min(count, columns) where !(relative[k] > tolerance) {
            throw .rankDeficient(column: k, relativeResidual: relative[k])
        }
    }

    /// Returns `Q' b` for a vector `b` of length `rows`.
    ///
    /// The first `columns` elements are the coordinates of b's projection on the column
    /// space; the sum of squares of the rest is the residual sum of squares of b.
    public func applyQTranspose(_ b: [Double]) -> [Double] {
        precondition(b.count == rows, "Q' b needs b of length \(rows); got \(b.count)")
        var result = b
        let m = rows
        factors.withUnsafeBufferPointer { a in
            result.withUnsafeMutableBufferPointer { out in
                for k in 0..<columns where betas[k] != 0 {
                    let length = m - k
                    let scale = betas[k] * Kernels.dot(a, k * m + k, UnsafeBufferPointer(out), k, count: length)
                    if scale != 0 { Kernels.axpy(-scale, a, k * m + k, into: out, k, count: length) }
                }
            }
        }
        return result
    }

    /// Solves `R[0..<k, 0..<k] x = rhs[0..<k]` by back substitution (`k` = `leadingColumns`).
    ///
    /// With `rhs = Q' b` this gives the least-squares coefficients of b on the leading
    /// k columns of A. The caller checks the rank first (a zero diagonal divides by zero).
    public func solveUpperTriangular(_ rhs: [Double], leadingColumns k: Int? = nil) -> [Double] {
        let count = k ?? columns
        precondition(count >= 0 && count <= columns && rhs.count >= count, "back substitution out of range")
        var x = Array(rhs[0..<count])
        var i = count - 1
        while i >= 0 {
            var sum = x[i]
            for j in (i + 1)..<max(count, i + 1) { sum -= factors[j * rows + i] * x[j] }
            x[i] = sum / diagonal[i]
            i -= 1
        }
        return x
    }

    /// The least-squares solution of `A x ~ b` (all columns). Check the rank first.
    public func solve(_ b: [Double]) -> [Double] {
        solveUpperTriangular(applyQTranspose(b))
    }
}

/// One QR of a design with columns in a meaningful order, answering least-squares
/// questions for every leading subset of its columns.
///
/// Factor once at `O(m n^2)`; then the residual sum of squares of the fit on the first
/// `k` columns is the sum of squares of `(Q' y)[k...]`, and its coefficients a k x k back
/// substitution. Lag selection with p candidate orders costs one factorisation instead of p.
///
/// ```swift
/// let nested = try NestedLeastSquares(design: x, response: y)
/// let rss = (0...x.columns).map { nested.residualSumOfSquares(leadingColumns: $0) }
/// let beta3 = nested.coefficients(leadingColumns: 3)
/// ```
public struct NestedLeastSquares: Sendable {
    /// The factorisation of the design.
    public let qr: HouseholderQR
    /// `Q' y`, the response in the rotated coordinates.
    public let rotatedResponse: [Double]
    /// `tail[k]` = sum of squares of `rotatedResponse[k...]`, for k = 0...columns.
    private let tail: [Double]

    /// Factors `design` and rotates `response`; throws for bad shapes, non-finite data, or
    /// (unless `rankTolerance` is nil) a rank-deficient design.
    public init(design: Matrix, response: [Double],
                rankTolerance: Double? = LeastSquares.defaultRankTolerance) throws(LeastSquaresError) {
        guard response.count == design.rows else {
            throw .dimensionMismatch("the response has \(response.count) values but the design \(design.rows) rows")
        }
        guard response.allSatisfy(\.isFinite) else { throw .notFinite }
        let qr = try HouseholderQR(design)
        if let rankTolerance { try qr.requireFullRank(tolerance: rankTolerance) }
        let rotated = qr.applyQTranspose(response)
        var tail = [Double](repeating: 0, count: design.columns + 1)
        var sum = 0.0
        var i = rotated.count - 1
        while i >= design.columns {
            sum += rotated[i] * rotated[i]
            i -= 1
        }
        tail[design.columns] = sum
        var k = design.columns - 1
        while k >= 0 {
            sum += rotated[k] * rotated[k]
            tail[k] = sum
            k -= 1
        }
        self.qr = qr
        self.rotatedResponse = rotated
        self.tail = tail
    }

    /// Number of observations (rows of the design).
    public var observationCount: Int { qr.rows }

    /// The residual sum of squares of the least-squares fit on the first `k` columns (k = 0 means no regressor: the sum of y squared).
    public func residualSumOfSquares(leadingColumns k: Int) -> Double {
        precondition(k >= 0 && k <= qr.columns, "leading column count out of range")
        return tail[k]
    }

    /// The least-squares coefficients on the first `k` columns.
    public func coefficients(leadingColumns k: Int) -> [Double] {
        qr.solveUpperTriangular(rotatedResponse, leadingColumns: k)
    }
}

/// The result of an ordinary least-squares fit.
public struct LeastSquaresFit: Sendable, Equatable {
    /// The coefficients, one per design column.
    public var coefficients: [Double]
    /// `y - X beta`, one per observation.
    public var residuals: [Double]
    /// The sum of squared residuals, summed from `residuals`.
    public var residualSumOfSquares: Double

    /// Number of observations.
    public var observationCount: Int { residuals.count }
    /// Number of coefficients.
    public var parameterCount: Int { coefficients.count }
    /// The maximum-likelihood innovation variance `RSS / n` (statsmodels' AutoReg `sigma2`).
    public var maximumLikelihoodVariance: Double {
        residuals.isEmpty ? 0 : residualSumOfSquares / Double(residuals.count)
    }
    /// The unbiased residual variance `RSS / (n - k)` (OLS `scale`); NaN when n == k.
    public var unbiasedVariance: Double {
        residualSumOfSquares / Double(residuals.count - coefficients.count)
    }
}

/// Ordinary least squares by Householder QR (see ``HouseholderQR``).
///
/// ```swift
/// let fit = try LeastSquares.fit(design: x, response: y)
/// fit.coefficients; fit.residuals; fit.maximumLikelihoodVariance
/// ```
public enum LeastSquares {
    /// The default rank tolerance: a column whose part orthogonal to the columns before it
    /// is at most 1e-10 of its norm counts as dependent. At that point the design's
    /// condition number exceeds 1e10 and coefficients would keep fewer than 6 of their
    /// 16 digits; a constant series (every lag column parallel to the constant) lands at
    /// about 1e-16.
    public static let defaultRankTolerance = 1e-10

    /// Fits `response ~ design` and returns coefficients, residuals and their sum of squares.
    ///
    /// Throws for a shape mismatch, fewer rows than columns, NaN/infinity, or a design
    /// that is rank-deficient at `rankTolerance`. A design with zero columns is allowed
    /// (the residuals are the response).
    public static func fit(design: Matrix, response: [Double],
                           rankTolerance: Double = defaultRankTolerance) throws(LeastSquaresError) -> LeastSquaresFit {
        let nested = try NestedLeastSquares(design: design, response: response, rankTolerance: rankTolerance)
        let coefficients = nested.coefficients(leadingColumns: design.columns)
        return fit(design: design, response: response, coefficients: coefficients)
    }

    /// Residuals and their sum of squares for given `coefficients` (computed directly as `y - X beta`).
    public static func fit(design: Matrix, response: [Double], coefficients: [Double]) -> LeastSquaresFit {
        let fitted = design.multiply(coefficients)
        var residuals = response
        var sum = 0.0
        for i in residuals.indices {
            residuals[i] -= fitted[i]
            sum += residuals[i] * residuals[i]
        }
        return LeastSquaresFit(coefficients: coefficients, residuals: residuals, residualSumOfSquares: sum)
    }
}

/// Inner loops over contiguous storage, written so the compiler vectorises them.
enum Kernels {
    /// Sum of `x[xs + i] * y[ys + i]` for i in 0..<count, with four partial sums.
    @inline(__always)
    static func dot(_ x: UnsafeMutableBufferPointer<Double>, _ xs: Int,
                    _ y: UnsafeMutableBufferPointer<Double>, _ ys: Int, count: Int) -> Double {
        dot(UnsafeBufferPointer(x), xs, UnsafeBufferPointer(y), ys, count: count)
    }

    /// Sum of `x[xs + i] * y[ys + i]`, mixed mutability.
    @inline(__always)
    static func dot(_ x: UnsafeBufferPointer<Double>, _ xs: Int,
                    _ y: UnsafeBufferPointer<Double>, _ ys: Int, count: Int) -> Double {
        guard count > 0, let px = x.baseAddress.map({ $0 + xs }), let py = y.baseAddress.map({ $0 + ys }) else { return 0 }
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
        var i = 0
        while i + 4 <= count {
            s0 += px[i] * py[i]
            s1 += px[i + 1] * py[i + 1]
            s2 += px[i + 2] * py[i + 2]
            s3 += px[i + 3] * py[i + 3]
            i += 4
        }
        while i < count {
            s0 += px[i] * py[i]
            i += 1
        }
        return (s0 + s1) + (s2 + s3)
    }

    /// `y[ys + i] += a * x[xs + i]` for i in 0..<count.
    @inline(__always)
    static func axpy(_ a: Double, _ x: UnsafeMutableBufferPointer<Double>, _ xs: Int,
                     into y: UnsafeMutableBufferPointer<Double>, _ ys: Int, count: Int) {
        axpy(a, UnsafeBufferPointer(x), xs, into: y, ys, count: count)
    }

    /// `y[ys + i] += a * x[xs + i]`, read-only source.
    @inline(__always)
    static func axpy(_ a: Double, _ x: UnsafeBufferPointer<Double>, _ xs: Int,
                     into y: UnsafeMutableBufferPointer<Double>, _ ys: Int, count: Int) {
        guard count > 0, let px = x.baseAddress.map({ $0 + xs }), let py = y.baseAddress.map({ $0 + ys }) else { return }
        for i in 0..<count { py[i] += a * px[i] }
    }

    /// Euclidean norm of `x[start ..< start + count]`, scaled to avoid overflow and underflow.
    static func norm(_ x: UnsafeMutableBufferPointer<Double>, start: Int, count: Int) -> Double {
        var largest = 0.0
        for i in start..<(start + count) { largest = max(largest, abs(x[i])) }
        guard largest > 0, largest.isFinite else { return largest }
        let scale = 1 / largest
        var sum = 0.0
        for i in start..<(start + count) {
            let value = x[i] * scale
            sum += value * value
        }
        return largest * sum.squareRoot()
    }
}
