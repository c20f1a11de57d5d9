#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Sine and cosine regressors for a seasonal period, phased on absolute time.
///
/// The phase of an observation at Unix time `t` with step `s` is `(t / s) mod period`, so
/// the terms continue seamlessly past the training data (for forecasts and conditioning).
struct FourierRegressors: Sendable, Equatable {
    /// The period in steps (24 for a daily cycle in hourly data).
    var period: Int
    /// The number of harmonics `K` (2K regressors).
    var terms: Int

    /// The `2K` regressor values at time `time` (sin₁, cos₁, sin₂, cos₂, …).
    func row(time: Int64, step: Int64) -> [Double] {
        let index = time / step
        let phase = Double(((index % Int64(period)) + Int64(period)) % Int64(period))
        var row: [Double] = []
        row.reserveCapacity(2 * terms)
        for k in 1...terms {
            let angle = 2 * Double.pi * Double(k) * phase / Double(period)
            row.append(sin(angle))
            row.append(cos(angle))
        }
        return row
    }

    /// `Σ βⱼ xⱼ(time)`.
    func value(_ coefficients: [Double], time: Int64, step: Int64) -> Double {
        zip(row(time: time, step: step), coefficients).reduce(0) { $0 + $1.0 * $1.1 }
    }

    /// The regressors as columns over `count` observations from `start`.
    func columns(count: Int, start: Int64, step: Int64) -> [[Double]] {
        var columns = [[Double]](repeating: [Double](repeating: 0, count: count), count: 2 * terms)
        for t in 0..<count {
            let row = row(time: start + Int64(t) * step, step: step)
            for j in 0..<(2 * terms) { columns[j][t] = row[j] }
        }
        return columns
    }
}
