import ForecastMath
import Testing

/// Householder QR and least squares against values worked out independently.
@Suite("LeastSquares")
struct LeastSquaresTests {
    /// A design and response whose exact solution is known: y = 2 + 3 x exactly plus a
    /// residual vector orthogonal to the columns.
    @Test func recoversExactCoefficientsAndOrthogonalResidual() throws {
        let x: [Double] = [0, 1, 2, 3, 4]
        // r = (1, -2, 0, 2, -1) is orthogonal to (1,1,1,1,1) and to x.
        let r: [Double] = [1, -2, 0, 2, -1]
        let y = zip(x, r).map { 2 + 3 * $0 + $1 }
        let design = Matrix(columnArrays: [[1, 1, 1, 1, 1], x])
        let fit = try LeastSquares.fit(design: design, response: y)
        #expect(abs(fit.coefficients[0] - 2) < 1e-13)
        #expect(abs(fit.coefficients[1] - 3) < 1e-13)
        for (got, want) in zip(fit.residuals, r) { #expect(abs(got - want) < 1e-13) }
        #expect(abs(fit.residualSumOfSquares - 10) < 1e-12)
        #expect(abs(fit.maximumLikelihoodVariance - 2) < 1e-12)
        #expect(abs(fit.unbiasedVariance - 10.0 / 3.0) < 1e-12)
    }

    /// Q'Q = I and QR = A: R reproduces the Gram matrix, R'R = A'A.
    @Test func rFactorReproducesGramMatrix() throws {
        let a = Matrix(rowArrays: [[4, 1, -2], [2, 3, 0], [-1, 5, 7], [3, -3, 1], [0, 2, 2], [1, 1, 1]])
        let qr = try HouseholderQR(a)
        let r = qr.r
        let gram = a.transposed * a
        let rr = r.transposed * r
        for i in 0..<3 {
            for j in 0..<3 { #expect(abs(gram[i, j] - rr[i, j]) < 1e-11 * max(1, abs(gram[i, j]))) }
            for j in 0..<i { #expect(r[i, j] == 0) }
        }
    }

    /// The nested residual sums of squares equal separate fits on each leading subset.
    @Test func nestedFitsMatchSeparateFits() throws {
        var state: UInt64 = 42
        func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53) - 0.5
        }
        let rows = 60, columns = 5
        let columnsData = (0..<columns).map { _ in (0..<rows).map { _ in uniform() } }
        let design = Matrix(columnArrays: columnsData)
        let y = (0..<rows).map { i in 1.5 * columnsData[0][i] - 0.5 * columnsData[2][i] + 0.1 * uniform() }
        let nested = try NestedLeastSquares(design: design, response: y)
        let total = y.reduce(0) { $0 + $1 * $1 }
        #expect(abs(nested.residualSumOfSquares(leadingColumns: 0) - total) < 1e-12 * total)
        for k in 1...columns {
            let separate = try LeastSquares.fit(design: design.leadingColumns(k), response: y)
            let rss = nested.residualSumOfSquares(leadingColumns: k)
            #expect(abs(rss - separate.residualSumOfSquares) < 1e-10 * separate.residualSumOfSquares)
            for (a, b) in zip(nested.coefficients(leadingColumns: k), separate.coefficients) {
                #expect(abs(a - b) < 1e-10 * max(1, abs(b)))
            }
        }
    }

    /// A column that repeats an earlier one is reported, naming the column.
    @Test func rankDeficiencyIsAnErrorNamingTheColumn() {
        let ones = [Double](repeating: 1, count: 8)
        let twos = [Double](repeating: 2, count: 8)
        let x: [Double] = [1, 2, 3, 4, 5, 6, 7, 9]
        let design = Matrix(columnArrays: [ones, x, twos])
        #expect(throws: LeastSquaresError.self) { try LeastSquares.fit(design: design, response: x) }
        do {
            _ = try LeastSquares.fit(design: design, response: x)
        } catch {
            guard case .rankDeficient(let column, _) = error else {
                Issue.record("expected rankDeficient, got \(error)")
                return
            }
            #expect(column == 2)
        }
    }

    /// Bad shapes and non-finite values are errors, not traps.
    @Test func rejectsBadShapesAndNonFiniteValues() {
        let design = Matrix(columnArrays: [[1, 1, 1]])
        #expect(throws: LeastSquaresError.dimensionMismatch("the response has 2 values but the design 3 rows")) {
            try LeastSquares.fit(design: design, response: [1, 2])
        }
        #expect(throws: LeastSquaresError.notFinite) { try LeastSquares.fit(design: design, response: [1, .nan, 2]) }
        #expect(throws: LeastSquaresError.underdetermined(rows: 1, columns: 2)) {
            try LeastSquares.fit(design: Matrix(rowArrays: [[1, 2]]), response: [1])
        }
    }

    /// With no regressors the residuals are the response itself.
    @Test func zeroColumnDesignLeavesTheResponse() throws {
        let fit = try LeastSquares.fit(design: Matrix(rows: 3, columns: 0), response: [1, -2, 2])
        #expect(fit.coefficients.isEmpty)
        #expect(fit.residuals == [1, -2, 2])
        #expect(fit.residualSumOfSquares == 9)
    }
}
