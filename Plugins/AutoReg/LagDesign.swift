import ForecastMath

/// The regression of an autoregression: response `y[t]` on deterministic terms and lags
/// `y[t-1] ... y[t-lags]`, for `t = holdBack ..< n` (statsmodels' `AutoReg._x`, `_y`),
/// keeping only the rows whose response and lags are all observed (NaN = missing).
///
/// Why complete rows: least squares on the complete rows is the conditional maximum
/// likelihood of the autoregression given the observed data around each row, needs no
/// imputation that would bias the coefficients (interpolated hours are smoother than
/// weather), and costs nothing extra; with a few gaps in five years it keeps almost all
/// rows. The deterministic terms are evaluated at each row's own time index, so a gap
/// does not shift the trend or the seasonal phase.
///
/// Columns: the deterministic terms (``DeterministicTerms``) then lag 1, lag 2, ...
/// Holding back `holdBack >= lags` observations lets several lag counts share one sample.
struct LagDesign {
    /// The regressors, column-major, one row per kept time index.
    let matrix: Matrix
    /// The response at the kept time indices.
    let response: [Double]
    /// The kept time indices, increasing.
    let rows: [Int]

    /// Builds the design for `values` with `lags` lag columns, considering the rows
    /// `holdBack ..< count` (default: all of `values`) and keeping the complete ones.
    init(values: [Double], terms: DeterministicTerms, lags: Int, holdBack: Int, count: Int? = nil) {
        let end = count ?? values.count
        precondition(lags >= 0 && holdBack >= lags && holdBack <= end && end <= values.count, "invalid lag design")
        let rows = Self.completeRows(values, lags: lags, range: holdBack..<end)
        let deterministic = terms.columnCount
        let columns = deterministic + lags
        let rowCount = rows.count
        var storage = [Double](repeating: 0, count: rowCount * columns)
        storage.withUnsafeMutableBufferPointer { buffer in
            for column in 0..<deterministic {
                let offset = column * rowCount
                for (row, t) in rows.enumerated() { buffer[offset + row] = terms.value(column: column, at: t) }
            }
            values.withUnsafeBufferPointer { y in
                for lag in 1...max(lags, 1) where lag <= lags {
                    let offset = (deterministic + lag - 1) * rowCount
                    for (row, t) in rows.enumerated() { buffer[offset + row] = y[t - lag] }
                }
            }
        }
        matrix = Matrix(rows: rowCount, columns: columns, columnMajor: storage)
        response = rows.map { values[$0] }
        self.rows = rows
    }

    /// The time indices in `range` whose value and `lags` preceding values are all observed.
    static func completeRows(_ values: [Double], lags: Int, range: Range<Int>) -> [Int] {
        var rows: [Int] = []
        rows.reserveCapacity(range.count)
        // run = how many consecutive observed values end at t.
        var run = 0
        let start = max(0, range.lowerBound - lags)
        for t in start..<range.upperBound {
            run = values[t].isNaN ? 0 : run + 1
            if t >= range.lowerBound, run > lags { rows.append(t) }
        }
        return rows
    }
}
