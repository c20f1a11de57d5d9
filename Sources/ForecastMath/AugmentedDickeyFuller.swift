#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The augmented Dickey-Fuller unit-root test as pmdarima's `ADFTest` (after R's `tseries::adf.test`) runs it.
///
/// Regresses `Δyₜ` on a constant, `yₜ₋₁`, a linear trend and `k - 1` lagged differences,
/// with `k = trunc((n - 1)^(1/3)) + 1` by default; the statistic is the t ratio of the
/// `yₜ₋₁` coefficient and its p-value is interpolated in Banerjee et al.'s table.
/// Small p-values reject the unit root.
public enum AugmentedDickeyFuller {
    /// The test's outcome.
    public struct Result: Sendable, Equatable {
        /// The t statistic of the lagged level.
        public var statistic: Double
        /// The interpolated p-value (clamped to the table's 0.01...0.99).
        public var pValue: Double
        /// The lag order `k` used (lagged differences are `k - 1`).
        public var lagOrder: Int
    }

    private static let table: [[Double]] = [
        [-4.38, -3.95, -3.60, -3.24, -1.14, -0.80, -0.50, -0.15],
        [-4.15, -3.80, -3.50, -3.18, -1.19, -0.87, -0.58, -0.24],
        [-4.04, -3.73, -3.45, -3.15, -1.22, -0.90, -0.62, -0.28],
        [-3.99, -3.69, -3.43, -3.13, -1.23, -0.92, -0.64, -0.31],
        [-3.98, -3.68, -3.42, -3.13, -1.24, -0.93, -0.65, -0.32],
        [-3.96, -3.66, -3.41, -3.12, -1.25, -0.94, -0.66, -0.33],
    ]
    private static let tableSizes: [Double] = [25, 50, 100, 250, 500, 100_000]
    private static let tableProbabilities: [Double] = [0.01, 0.025, 0.05, 0.10, 0.90, 0.95, 0.975, 0.99]

    /// Runs the test on `values`; `lagOrder` `nil` means pmdarima's default rule. `nil` if the regression is singular.
    public static func test(_ values: [Double], lagOrder: Int? = nil) -> Result? {
        let k = (lagOrder ?? Int((pow(Double(values.count - 1), 1.0 / 3.0)).rounded(.towardZero))) + 1
        let y = Differencing.difference(values, order: 1)
        let n = y.count
        guard k >= 1, n > k + 3 else { return nil }
        // Rows t = k-1 ..< n: response y[t]; level x[t]; trend t+1; lags y[t-1] ... y[t-k+1].
        let rows = n - k + 1
        var columns: [[Double]] = []
        columns.append([Double](repeating: 1, count: rows))
        columns.append((0..<rows).map { values[$0 + k - 1] })
        columns.append((0..<rows).map { Double($0 + k) })
        if k > 1 {
            for lag in 1..<k { columns.append((0..<rows).map { y[$0 + k - 1 - lag] }) }
        }
        let response = Array(y[(k - 1)..<n])
        guard let fit = LinearRegressionFit(columns: columns, response: response),
              fit.standardErrors[1] > 0 else { return nil }
        let statistic = fit.coefficients[1] / fit.standardErrors[1]
        guard statistic.isFinite else { return nil }
        let critical = (0..<tableProbabilities.count).map { column in
            LinearInterpolation.interpolate(xs: tableSizes, ys: table.map { $0[column] }, at: Double(n))
        }
        let p = LinearInterpolation.interpolate(xs: critical, ys: tableProbabilities, at: statistic)
        return Result(statistic: statistic, pValue: p, lagOrder: k)
    }

    /// Whether the series should be differenced at level `alpha` (p-value above `alpha`).
    public static func shouldDifference(_ values: [Double], alpha: Double = 0.05) -> Bool? {
        test(values).map { $0.pValue > alpha }
    }
}
