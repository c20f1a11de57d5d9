/// Lag-1 differencing of a series, `d` times, and its inverse for forecasts.
public enum Differencing {
    /// `Δᵈ values` (length `count - d`).
    public static func difference(_ values: [Double], order d: Int) -> [Double] {
        var x = values
        for _ in 0..<d {
            guard x.count > 1 else { return [] }
            x = (1..<x.count).map { x[$0] - x[$0 - 1] }
        }
        return x
    }

    /// The last values of `Δᵏ values` for `k = 0..<d`, which seed the integration of forecasts.
    public static func lastLevels(_ values: [Double], order d: Int) -> [Double] {
        var levels: [Double] = []
        var x = values
        for _ in 0..<d {
            levels.append(x.last ?? 0)
            x = difference(x, order: 1)
        }
        return levels
    }

    /// Advances `levels` (from ``lastLevels(_:order:)``) by one new `Δᵈ` value; returns the new `y`.
    ///
    /// `Δᵈ⁻¹yₜ = Δᵈ⁻¹yₜ₋₁ + Δᵈyₜ`, then down to `yₜ`.
    public static func integrate(_ levels: inout [Double], next differenced: Double) -> Double {
        var value = differenced
        for k in stride(from: levels.count - 1, through: 0, by: -1) {
            value += levels[k]
            levels[k] = value
        }
        return value
    }

    /// Whether every value equals the first (pmdarima's `is_constant`).
    public static func isConstant(_ values: [Double]) -> Bool {
        guard let first = values.first else { return true }
        return values.allSatisfy { $0 == first }
    }
}
