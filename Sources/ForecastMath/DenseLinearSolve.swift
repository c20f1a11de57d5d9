/// Gaussian elimination with partial pivoting for small dense square systems.
public enum DenseLinearSolve {
    /// Solves `A x = b` for a row-major `size × size` matrix; `nil` when `A` is (numerically) singular.
    ///
    /// ```swift
    /// DenseLinearSolve.solve([2, 0, 0, 4], [2, 8], size: 2)   // [1, 2]
    /// ```
    public static func solve(_ matrix: [Double], _ rhs: [Double], size n: Int) -> [Double]? {
        precondition(matrix.count == n * n && rhs.count == n, "a \(n) x \(n) system needs \(n * n) + \(n) values")
        var a = matrix
        var b = rhs
        var scale = 0.0
        for value in a { scale = max(scale, abs(value)) }
        guard scale > 0, scale.isFinite else { return nil }
        for column in 0..<n {
            var pivot = column
            for row in (column + 1)..<max(n, column + 1) where abs(a[row * n + column]) > abs(a[pivot * n + column]) {
                pivot = row
            }
            guard abs(a[pivot * n + column]) > scale * 1e-14 else { return nil }
            if pivot != column {
                for k in 0..<n { a.swapAt(column * n + k, pivot * n + k) }
                b.swapAt(column, pivot)
            }
            let diagonal = a[column * n + column]
            for row in (column + 1)..<max(n, column + 1) {
                let factor = a[row * n + column] / diagonal
                if factor == 0 { continue }
                for k in column..<n { a[row * n + k] -= factor * a[column * n + k] }
                b[row] -= factor * b[column]
            }
        }
        var x = [Double](repeating: 0, count: n)
        for row in stride(from: n - 1, through: 0, by: -1) {
            var sum = b[row]
            for k in (row + 1)..<max(n, row + 1) { sum -= a[row * n + k] * x[k] }
            x[row] = sum / a[row * n + row]
        }
        return x.allSatisfy(\.isFinite) ? x : nil
    }
}
