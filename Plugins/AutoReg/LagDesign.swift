import ForecastMath

/// The regression of an autoregression: response `y[t]` on deterministic terms and lags
/// `y[t-1] ... y[t-lags]`, for `t = holdBack ..< n` (statsmodels' `AutoReg._x`, `_y`).
///
/// Columns: the deterministic terms (``DeterministicTerms``) then lag 1, lag 2, ...
/// Holding back `holdBack >= lags` observations lets several lag counts share one sample.
struct LagDesign {
    /// The regressors, column-major, `rows = n - holdBack`.
    let matrix: Matrix
    /// The response `y[holdBack ..< n]`.
    let response: [Double]

    /// Builds the design for `values` with `lags` lag columns, dropping the first `holdBack` rows.
    init(values: [Double], terms: DeterministicTerms, lags: Int, holdBack: Int) {
        precondition(lags >= 0 && holdBack >= lags && holdBack < values.count, "invalid lag design")
        let rows = values.count - holdBack
        let deterministic = terms.columnCount
        let columns = deterministic + lags
        var storage = [Double](repeating: 0, count: rows * columns)
        storage.withUnsafeMutableBufferPointer { buffer in
            for column in 0..<deterministic {
                terms.fill(column: column, firstIndex: holdBack, count: rows, into: buffer, offset: column * rows)
            }
            values.withUnsafeBufferPointer { y in
                for lag in 1...max(lags, 1) where lag <= lags {
                    let offset = (deterministic + lag - 1) * rows
                    let source = holdBack - lag
                    for row in 0..<rows { buffer[offset + row] = y[source + row] }
                }
            }
        }
        matrix = Matrix(rows: rows, columns: columns, columnMajor: storage)
        response = Array(values[holdBack...])
    }
}
