/// Piecewise-linear interpolation with constant extrapolation (R's `approx(..., rule = 2)`).
public enum LinearInterpolation {
    /// Interpolates `(xs, ys)` at `x`; the points are sorted by `xs` first.
    public static func interpolate(xs: [Double], ys: [Double], at x: Double) -> Double {
        precondition(xs.count == ys.count && !xs.isEmpty, "interpolation needs matching, non-empty tables")
        let points = zip(xs, ys).sorted { $0.0 < $1.0 }
        if x <= points[0].0 { return points[0].1 }
        if x >= points[points.count - 1].0 { return points[points.count - 1].1 }
        for i in 1..<points.count where x <= points[i].0 {
            let (x0, y0) = points[i - 1], (x1, y1) = points[i]
            return x1 == x0 ? y1 : y0 + (y1 - y0) * (x - x0) / (x1 - x0)
        }
        return points[points.count - 1].1
    }
}
