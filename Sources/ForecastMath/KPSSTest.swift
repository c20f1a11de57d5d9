#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The KPSS stationarity test (level null) as pmdarima's `KPSSTest` (after R's `tseries::kpss.test`) runs it.
///
/// Demeans the series, takes `η = Σ Sₜ² / n²` of the partial sums and divides by a
/// Newey-West long-run variance with `l = trunc(4 (n/100)^¼)` Bartlett lags. Small
/// p-values reject stationarity.
public enum KPSSTest {
    /// The test's outcome.
    public struct Result: Sendable, Equatable {
        /// The KPSS statistic.
        public var statistic: Double
        /// The interpolated p-value (clamped to 0.01...0.10).
        public var pValue: Double
    }

    /// Runs the test; `nil` for fewer than 2 values or zero variance.
    public static func test(_ values: [Double]) -> Result? {
        let n = values.count
        guard n >= 2 else { return nil }
        let mean = values.reduce(0, +) / Double(n)
        let e = values.map { $0 - mean }
        var partial = 0.0
        var eta = 0.0
        for value in e {
            partial += value
            eta += partial * partial
        }
        eta /= Double(n) * Double(n)
        var s2 = e.reduce(0) { $0 + $1 * $1 } / Double(n)
        let lags = Int((4 * pow(Double(n) / 100, 0.25)).rounded(.towardZero))
        if lags > 0 {
            var extra = 0.0
            for i in 1...lags {
                var sum = 0.0
                for j in i..<n { sum += e[j] * e[j - i] }
                extra += sum * (1 - Double(i) / Double(lags + 1))
            }
            s2 += 2 * extra / Double(n)
        }
        guard s2 > 0 else { return nil }
        let statistic = eta / s2
        let p = LinearInterpolation.interpolate(xs: [0.739, 0.574, 0.463, 0.347], ys: [0.01, 0.025, 0.05, 0.10], at: statistic)
        return Result(statistic: statistic, pValue: p)
    }

    /// Whether the series should be differenced at level `alpha` (p-value below `alpha`).
    public static func shouldDifference(_ values: [Double], alpha: Double = 0.05) -> Bool? {
        test(values).map { $0.pValue < alpha }
    }
}
