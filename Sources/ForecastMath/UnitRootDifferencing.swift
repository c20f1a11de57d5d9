/// Chooses the order of differencing with a unit-root test, as pmdarima's `ndiffs` does.
///
/// Starting from `d = 0`, while the test says "difference" and `d < maxD`, difference once
/// more; a constant series stops the loop. A test that cannot be computed at `d = 0`
/// gives 0; later it keeps the last computed `d - 1`.
public enum UnitRootDifferencing {
    /// The unit-root test used to decide.
    public enum Test: String, Sendable, Codable, CaseIterable {
        /// Augmented Dickey-Fuller (null: unit root).
        case adf
        /// KPSS (null: level stationarity).
        case kpss
    }

    /// The number of differences `d` in `0...maxD` the test asks for at level `alpha`.
    public static func order(_ values: [Double], test: Test, alpha: Double = 0.05, maxD: Int = 2) -> Int {
        func shouldDifference(_ x: [Double]) -> Bool? {
            switch test {
            case .adf: AugmentedDickeyFuller.shouldDifference(x, alpha: alpha)
            case .kpss: KPSSTest.shouldDifference(x, alpha: alpha)
            }
        }
        var d = 0
        var x = values
        if Differencing.isConstant(x) { return 0 }
        guard var again = shouldDifference(x) else { return 0 }
        while again && d < maxD {
            d += 1
            x = Differencing.difference(x, order: 1)
            if Differencing.isConstant(x) { return d }
            guard let next = shouldDifference(x) else { return d - 1 }
            again = next
        }
        return d
    }
}
