/// The deterministic regressors of an autoregression: constant, linear trend, seasonal dummies.
///
/// Column order and conventions follow statsmodels' `AutoReg` (its `DeterministicProcess`):
/// `const`, then `trend`, then the seasonal dummies, all functions of the 0-based time
/// index `t` of an observation counted from the first observation of the training series:
///
/// - `const` = 1;
/// - `trend` = t + 1 (the first observation has trend 1);
/// - seasonal dummy `s(j, period)` (j = 1...period) = 1 when `t mod period == j - 1`.
///   With a constant the first dummy `s(1, period)` is dropped (it would be collinear).
///
/// Forecasts continue the same index, so the phase of the seasonal terms is fixed by
/// the training series' first observation and the number of observations since.
struct DeterministicTerms: Sendable, Equatable {
    /// Constant and trend.
    var trend: TrendTerms
    /// The seasonal period, or nil without seasonal dummies.
    var period: Int?

    /// Number of seasonal dummy columns.
    var seasonalColumnCount: Int {
        guard let period else { return 0 }
        return trend.hasConstant ? period - 1 : period
    }

    /// Total number of deterministic columns.
    var columnCount: Int { trend.columnCount + seasonalColumnCount }

    /// Whether the columns contain a constant, explicitly or implicitly.
    ///
    /// A full set of seasonal dummies sums to one, so it spans the constant. statsmodels'
    /// OLS detects such an implicit constant and then counts one parameter less in
    /// `df_model`, which `ar_select_order` uses for its criteria.
    var spansConstant: Bool { trend.hasConstant || period != nil }

    /// The value of column `column` at time index `t`.
    func value(column: Int, at t: Int) -> Double {
        var c = column
        if trend.hasConstant {
            if c == 0 { return 1 }
            c -= 1
        }
        if trend.hasTrend {
            if c == 0 { return Double(t + 1) }
            c -= 1
        }
        guard let period else { return 0 }
        let season = t % period
        let firstDummy = trend.hasConstant ? 1 : 0
        return season == c + firstDummy ? 1 : 0
    }

    /// Fills `count` rows of column `column` for the time indices `firstIndex ..< firstIndex + count`.
    func fill(column: Int, firstIndex: Int, count: Int, into buffer: UnsafeMutableBufferPointer<Double>, offset: Int) {
        for row in 0..<count { buffer[offset + row] = value(column: column, at: firstIndex + row) }
    }

    /// The sum of `coefficients[j] * column j` at time index `t`.
    func combination(_ coefficients: [Double], at t: Int) -> Double {
        var sum = 0.0
        for (column, coefficient) in coefficients.enumerated() { sum += coefficient * value(column: column, at: t) }
        return sum
    }

    /// statsmodels' names of the columns: `const`, `trend`, `s(2,24)`, ...
    var columnNames: [String] {
        var names: [String] = []
        if trend.hasConstant { names.append("const") }
        if trend.hasTrend { names.append("trend") }
        if let period {
            for j in (trend.hasConstant ? 2 : 1)...period { names.append("s(\(j),\(period))") }
        }
        return names
    }
}
