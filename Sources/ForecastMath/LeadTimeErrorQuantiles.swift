// Calibrated forecast intervals from a model's own multi-step errors, per lead time.
//
// Why this method: a model's textbook interval (mean +- z sigma_h, sigma_h from the
// psi weights or the Kalman filter) is right only if the model is the truth and its
// innovations are Gaussian. Real weather is neither: errors are heavy-tailed, skewed near
// physical bounds, and a misspecified model's h-step errors grow faster than it believes,
// so 95% intervals cover ~80% at long leads. The model's own rolling-origin errors on its
// training data measure what actually happens, at every lead, with no distributional
// assumption (this is split-conformal prediction done per lead time). Two choices make it
// stable and compact:
//
// - Errors are meant to be STANDARDIZED by the model's predicted standard deviation for
//   that lead (error / sigma_h). The model then keeps the lead-time shape it knows and the
//   empirical part corrects only the multiplier, which varies slowly with the lead: so
//   neighbouring leads can be pooled (more data per quantile), and beyond the horizon the
//   last lead's multipliers are a sane extrapolation (sigma_h still grows). Raw errors
//   (scale 1) also work, but then beyond the horizon the last lead's offsets are held,
//   which is only as good as the errors having stopped growing.
// - Only a fixed grid of quantiles is kept (29 numbers per lead), interpolated linearly in
//   normal-score space (x = Phi^-1(p)): exact for Gaussian errors, monotone, defined for
//   any level in (0, 1), and extended linearly in the tails beyond the grid and beyond the
//   quantiles the sample can estimate (fewer than `minimumTailCount` errors outside them).
//
// Errors from a fit that saw the same data are slightly optimistic; with n >> parameters
// (hourly series with thousands of points) that is small next to misspecification.

/// Why a ``LeadTimeErrorQuantiles`` could not be built or read.
public enum LeadTimeErrorQuantilesError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No leads, or a parameter out of range.
    case invalidArgument(String)
    /// Some lead has fewer than the minimum number of errors even after pooling.
    case tooFewErrors(lead: Int, count: Int, minimum: Int)
    /// An error is NaN or infinite.
    case notFinite(lead: Int)
    /// A serialized form that this version cannot read.
    case badSerialization(String)

    /// A sentence saying what went wrong.
    public var description: String {
        switch self {
        case .invalidArgument(let text):
            return "lead-time error quantiles: \(text)"
        case .tooFewErrors(let lead, let count, let minimum):
            return "lead-time error quantiles: lead \(lead) has \(count) forecast errors after pooling; at least \(minimum) are needed"
        case .notFinite(let lead):
            return "lead-time error quantiles: a forecast error at lead \(lead) is NaN or infinite"
        case .badSerialization(let text):
            return "lead-time error quantiles: \(text)"
        }
    }
}

/// Empirical quantiles of (standardized) forecast errors per lead time, for intervals
/// that cover what they claim.
///
/// Build it from errors `actual - forecast` (divided by the model's predicted standard
/// deviation for that lead, preferably; see the file's opening comment) collected at
/// rolling origins, `errorsByLead[h - 1]` holding the errors at lead `h`:
///
/// ```swift
/// let calibration = try LeadTimeErrorQuantiles(errorsByLead: standardizedErrors)
/// let (low, high) = calibration.offsets(level: 0.95, lead: 12)
/// let interval = (mean[11] + sigma[11] * low, mean[11] + sigma[11] * high)
/// ```
///
/// Store it with ``serialized`` and read it back with ``init(serialized:)``. Immutable
/// and `Sendable`, so one value serves concurrent forecasts.
public struct LeadTimeErrorQuantiles: Sendable, Equatable {
    /// The version of ``serialized``'s layout this type writes (and the only one it reads).
    public static let formatVersion = 1

    /// The default probability grid: fine in the tails, where intervals live. It holds
    /// 0.025/0.975 and 0.1/0.9 exactly (the 95% and 80% intervals need no interpolation).
    public static let defaultProbabilities: [Double] = {
        let lower: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45]
        return lower + [0.5] + lower.reversed().map { 1 - $0 }
    }()

    /// The largest horizon accepted (leads per value), far beyond any use.
    public static let horizonLimit = 100_000

    /// The leads the errors covered: 1 ... horizon.
    public let horizon: Int
    /// The probability grid, strictly increasing in (0, 1).
    public let probabilities: [Double]
    /// `quantiles[h - 1][k]`: the quantile at `probabilities[k]` of the errors at lead h,
    /// non-decreasing in k.
    public let quantiles: [[Double]]
    /// `sampleCounts[h - 1]`: how many errors (pooled) lead h's quantiles came from.
    public let sampleCounts: [Int]

    /// Builds the quantiles from `errorsByLead[h - 1]` = the errors at lead h.
    ///
    /// - Parameters:
    ///   - errorsByLead: one array per lead 1 ... horizon; they may differ in length (a
    ///     lead may even be empty if its neighbours are not).
    ///   - poolingRadius: lead h uses the errors of leads h - r ... h + r (cut at 1 and
    ///     horizon): more data per quantile for distributions that change slowly with h.
    ///   - probabilities: the grid to keep (strictly increasing, in (0, 1), at least 3).
    ///   - minimumCount: the fewest pooled errors a lead may have.
    ///   - minimumTailCount: a grid quantile at p is estimated from the sample only if
    ///     `min(p, 1 - p) * count >= minimumTailCount`; further out it is extended
    ///     linearly in normal-score space from the two outermost estimated ones.
    public init(errorsByLead: [[Double]], poolingRadius: Int = 2,
                probabilities: [Double] = LeadTimeErrorQuantiles.defaultProbabilities,
                minimumCount: Int = 20, minimumTailCount: Double = 5) throws(LeadTimeErrorQuantilesError) {
        let horizon = errorsByLead.count
        guard horizon >= 1, horizon <= Self.horizonLimit else {
            throw .invalidArgument("the errors must cover between 1 and \(Self.horizonLimit) leads; got \(horizon)")
        }
        guard poolingRadius >= 0 else { throw .invalidArgument("the pooling radius must be at least 0; got \(poolingRadius)") }
        guard minimumCount >= 2 else { throw .invalidArgument("the minimum count must be at least 2; got \(minimumCount)") }
        guard minimumTailCount > 0, minimumTailCount.isFinite else {
            throw .invalidArgument("the minimum tail count must be positive; got \(minimumTailCount)")
        }
        try Self.validate(probabilities: probabilities)
        for (index, errors) in errorsByLead.enumerated() where !errors.allSatisfy(\.isFinite) {
            throw .notFinite(lead: index + 1)
        }
        var quantiles: [[Double]] = []
        var counts: [Int] = []
        quantiles.reserveCapacity(horizon)
        for lead in 1...horizon {
            let first = max(1, lead - poolingRadius)
            let last = min(horizon, lead + poolingRadius)
            let pooled = errorsByLead[(first - 1)..<last].joined().sorted()
            guard pooled.count >= minimumCount else {
                throw .tooFewErrors(lead: lead, count: pooled.count, minimum: minimumCount)
            }
            quantiles.append(Self.gridQuantiles(sorted: pooled, probabilities: probabilities, minimumTailCount: minimumTailCount))
            counts.append(pooled.count)
        }
        self.horizon = horizon
        self.probabilities = probabilities
        self.quantiles = quantiles
        self.sampleCounts = counts
    }

    /// The quantile at probability `p` of the errors at `lead` (1-based).
    ///
    /// Interpolated linearly in normal-score space between grid points and extended
    /// linearly beyond them; leads beyond ``horizon`` use the last lead's quantiles.
    /// - Precondition: `0 < p < 1` and `lead >= 1`.
    public func quantile(_ p: Double, lead: Int) -> Double {
        precondition(p > 0 && p < 1, "the probability must lie in (0, 1)")
        precondition(lead >= 1, "leads start at 1")
        let row = quantiles[min(lead, horizon) - 1]
        let x = NormalDistribution.quantile(p)
        let grid = probabilities
        // The segment [k, k + 1] holding x, or the outermost one for extrapolation.
        var k = 0
        if p >= grid[grid.count - 1] {
            k = grid.count - 2
        } else if p > grid[0] {
            var low = 0
            var high = grid.count - 1
            while high - low > 1 {
                let mid = (low + high) / 2
                if grid[mid] <= p { low = mid } else { high = mid }
            }
            k = low
        }
        let x0 = NormalDistribution.quantile(grid[k])
        let x1 = NormalDistribution.quantile(grid[k + 1])
        let t = (x - x0) / (x1 - x0)
        return row[k] + t * (row[k + 1] - row[k])
    }

    /// The lower and upper offsets of a central interval at `level` for `lead`: the
    /// error quantiles at `(1 - level) / 2` and `(1 + level) / 2`. Usually `lower < 0 <
    /// upper`, not necessarily symmetric. Multiply by the lead's predicted standard
    /// deviation when the errors were standardized, and add to the mean.
    /// - Precondition: `0 < level < 1` and `lead >= 1`.
    public func offsets(level: Double, lead: Int) -> (lower: Double, upper: Double) {
        precondition(level > 0 && level < 1, "the level must lie in (0, 1)")
        return (quantile((1 - level) / 2, lead: lead), quantile((1 + level) / 2, lead: lead))
    }

    /// The value as numbers, for a model blob: `[formatVersion, horizon, gridCount,
    /// probabilities..., sampleCounts..., quantiles (lead 1's grid, lead 2's, ...)]`.
    public var serialized: [Double] {
        var out: [Double] = [Double(Self.formatVersion), Double(horizon), Double(probabilities.count)]
        out.reserveCapacity(3 + probabilities.count + horizon * (probabilities.count + 1))
        out += probabilities
        out += sampleCounts.map(Double.init)
        for row in quantiles { out += row }
        return out
    }

    /// Reads ``serialized``; anything malformed or of another version is ``LeadTimeErrorQuantilesError/badSerialization(_:)``.
    public init(serialized values: [Double]) throws(LeadTimeErrorQuantilesError) {
        guard values.count >= 3 else { throw .badSerialization("\(values.count) numbers are too few for the header") }
        guard values[0] == Double(Self.formatVersion) else {
            throw .badSerialization("format version \(values[0]) is not the supported version \(Self.formatVersion)")
        }
        func integer(_ value: Double, _ name: String, in range: ClosedRange<Int>) throws(LeadTimeErrorQuantilesError) -> Int {
            guard value.isFinite, value == value.rounded(), value >= Double(range.lowerBound), value <= Double(range.upperBound) else {
                throw .badSerialization("\(name) \(value) is not an integer in \(range)")
            }
            return Int(value)
        }
        let horizon = try integer(values[1], "the horizon", in: 1...Self.horizonLimit)
        let gridCount = try integer(values[2], "the grid size", in: 3...10_000)
        let expected = 3 + gridCount + horizon * (gridCount + 1)
        guard values.count == expected else {
            throw .badSerialization("\(values.count) numbers where horizon \(horizon) and grid size \(gridCount) need \(expected)")
        }
        let probabilities = Array(values[3..<(3 + gridCount)])
        do {
            try Self.validate(probabilities: probabilities)
        } catch {
            throw .badSerialization("the probability grid is invalid: \(error.description)")
        }
        var counts: [Int] = []
        for value in values[(3 + gridCount)..<(3 + gridCount + horizon)] {
            counts.append(try integer(value, "a sample count", in: 0...Int(Int32.max)))
        }
        var quantiles: [[Double]] = []
        var offset = 3 + gridCount + horizon
        for lead in 1...horizon {
            let row = Array(values[offset..<(offset + gridCount)])
            offset += gridCount
            guard row.allSatisfy(\.isFinite) else { throw .badSerialization("lead \(lead)'s quantiles are not all finite") }
            guard zip(row, row.dropFirst()).allSatisfy({ $0 <= $1 }) else {
                throw .badSerialization("lead \(lead)'s quantiles decrease with the probability")
            }
            quantiles.append(row)
        }
        self.horizon = horizon
        self.probabilities = probabilities
        self.quantiles = quantiles
        self.sampleCounts = counts
    }

    // MARK: Building blocks

    private static func validate(probabilities: [Double]) throws(LeadTimeErrorQuantilesError) {
        guard probabilities.count >= 3 else {
            throw .invalidArgument("the probability grid needs at least 3 points; got \(probabilities.count)")
        }
        guard probabilities.allSatisfy({ $0 > 0 && $0 < 1 }),
              zip(probabilities, probabilities.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw .invalidArgument("the probability grid must be strictly increasing inside (0, 1)")
        }
    }

    /// The grid quantiles of `sorted` (non-empty): linear interpolation between order
    /// statistics (Hyndman and Fan's type 7, numpy's default) where the sample supports
    /// them, extended linearly in normal-score space beyond.
    private static func gridQuantiles(sorted: [Double], probabilities: [Double], minimumTailCount: Double) -> [Double] {
        let n = sorted.count
        let count = Double(n)
        var row = probabilities.map { p -> Double in
            let position = p * Double(n - 1)
            let below = Int(position.rounded(.down))
            let above = min(below + 1, n - 1)
            let fraction = position - Double(below)
            return sorted[below] + fraction * (sorted[above] - sorted[below])
        }
        let scores = probabilities.map(NormalDistribution.quantile)
        let supported = probabilities.map { min($0, 1 - $0) * count >= minimumTailCount }
        // Tails are filled outward from the outermost supported points; a sample too small
        // to support any grid point keeps its raw interpolated quantiles.
        guard let firstSupported = supported.firstIndex(of: true), let lastSupported = supported.lastIndex(of: true) else {
            return row
        }
        let middle = (firstSupported + lastSupported) / 2
        if firstSupported > 0 {
            let inner = min(firstSupported + 1, lastSupported)
            let slope = tailSlope(row, scores, edge: firstSupported, inner: inner, middle: middle)
            for k in stride(from: firstSupported - 1, through: 0, by: -1) {
                row[k] = row[firstSupported] + slope * (scores[k] - scores[firstSupported])
            }
        }
        if lastSupported < probabilities.count - 1 {
            let inner = max(lastSupported - 1, firstSupported)
            let slope = tailSlope(row, scores, edge: lastSupported, inner: inner, middle: middle)
            for k in (lastSupported + 1)..<probabilities.count {
                row[k] = row[lastSupported] + slope * (scores[k] - scores[lastSupported])
            }
        }
        return row
    }

    /// The slope (error per unit normal score) to extend a tail with: the local slope at
    /// the edge, or where that is flat (tied errors) the average slope from the middle.
    private static func tailSlope(_ row: [Double], _ scores: [Double], edge: Int, inner: Int, middle: Int) -> Double {
        if edge != inner {
            let local = (row[edge] - row[inner]) / (scores[edge] - scores[inner])
            if local > 0 { return local }
        }
        if edge != middle {
            let average = (row[edge] - row[middle]) / (scores[edge] - scores[middle])
            if average > 0 { return average }
        }
        return 0
    }
}
