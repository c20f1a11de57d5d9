/// A forecast path with its interval bounds, one element per step ahead.
public struct ForecastResult: Sendable, Equatable {
    /// Point forecasts (conditional means).
    public var mean: [Double]
    /// Lower interval bounds at the requested level.
    public var lower: [Double]
    /// Upper interval bounds at the requested level.
    public var upper: [Double]

    /// Creates a result; the three arrays must have equal length.
    public init(mean: [Double], lower: [Double], upper: [Double]) {
        precondition(mean.count == lower.count && mean.count == upper.count, "forecast arrays differ in length")
        self.mean = mean
        self.lower = lower
        self.upper = upper
    }

    /// Throws `numerical` unless every value is finite and `lower <= mean <= upper` at each step.
    public func validated() throws(PluginError) -> ForecastResult {
        for step in mean.indices {
            let (m, lo, hi) = (mean[step], lower[step], upper[step])
            guard m.isFinite, lo.isFinite, hi.isFinite else {
                throw .numerical("forecast step \(step + 1) is not finite (mean \(m), interval \(lo)...\(hi))")
            }
            guard lo <= m, m <= hi else {
                throw .numerical("forecast step \(step + 1) has unordered bounds (\(lo) <= \(m) <= \(hi) fails)")
            }
        }
        return self
    }
}
