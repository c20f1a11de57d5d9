/// Helpers for series whose missing observations are NaN.
///
/// The exact likelihood handles missing values itself (``ARMAKalmanFilter`` skips the
/// update step), but start values (Hannan-Rissanen, conditional sum of squares) and unit-root
/// tests are recursions or regressions on consecutive values; for those a gap is filled by
/// straight lines between its neighbours (constant beyond the ends), which only moves the
/// start of the exact fit or the test's statistic a little when gaps are a small share.
public enum MissingValues {
    /// Whether any value is NaN.
    public static func hasMissing(_ values: [Double]) -> Bool { values.contains { $0.isNaN } }

    /// The number of values that are not NaN.
    public static func observedCount(_ values: [Double]) -> Int { values.reduce(0) { $1.isNaN ? $0 : $0 + 1 } }

    /// The mean of the values that are not NaN (0 when there are none).
    public static func observedMean(_ values: [Double]) -> Double {
        var sum = 0.0, count = 0
        for v in values where !v.isNaN { sum += v; count += 1 }
        return count > 0 ? sum / Double(count) : 0
    }

    /// `values` with each run of NaN replaced by the straight line between its observed
    /// neighbours, and leading or trailing runs by the nearest observed value.
    /// Returns `values` unchanged when nothing is missing, and all zeros when nothing is observed.
    public static func filled(_ values: [Double]) -> [Double] {
        guard hasMissing(values) else { return values }
        guard let firstObserved = values.firstIndex(where: { !$0.isNaN }) else {
            return [Double](repeating: 0, count: values.count)
        }
        var out = values
        for i in 0..<firstObserved { out[i] = values[firstObserved] }
        var previous = firstObserved
        var i = firstObserved + 1
        while i < values.count {
            if values[i].isNaN { i += 1; continue }
            if i > previous + 1 {
                let y0 = values[previous], y1 = values[i]
                let span = Double(i - previous)
                for k in (previous + 1)..<i { out[k] = y0 + (y1 - y0) * Double(k - previous) / span }
            }
            previous = i
            i += 1
        }
        for k in (previous + 1)..<values.count { out[k] = values[previous] }
        return out
    }
}
