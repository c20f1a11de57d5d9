/// How missing hours are treated: short gaps are interpolated, nothing else is invented.
///
/// - A run of at most ``maxInterpolatedHours`` missing hours between two observations
///   is filled by linear interpolation between them.
/// - A longer run stays missing: the series is split there (train uses one contiguous
///   segment, see ``SeriesExtractor``).
/// - Missing hours before the first or after the last observation are trimmed.
public struct GapPolicy: Sendable, Equatable, Codable {
    /// The longest run of missing hours that is interpolated (default 3).
    public var maxInterpolatedHours: Int

    /// Creates a policy.
    public init(maxInterpolatedHours: Int = 3) {
        self.maxInterpolatedHours = maxInterpolatedHours
    }

    /// Fills short gaps in `values` (NaN = missing) in place and describes what it did.
    public func apply(to values: inout [Double], start: Int64) -> VariableSummary {
        var summary = VariableSummary()
        guard let first = values.firstIndex(where: { !$0.isNaN }),
              let last = values.lastIndex(where: { !$0.isNaN }) else {
            summary.trimmedStart = values.count
            return summary
        }
        summary.trimmedStart = first
        summary.trimmedEnd = values.count - 1 - last
        summary.firstTime = start + Int64(first) * 3600
        summary.lastTime = start + Int64(last) * 3600
        summary.segments = 1
        var index = first
        while index <= last {
            if !values[index].isNaN {
                summary.observed += 1
                index += 1
                continue
            }
            let gapStart = index
            while values[index].isNaN { index += 1 }
            let length = index - gapStart
            summary.longestGapHours = max(summary.longestGapHours, length)
            if length <= maxInterpolatedHours {
                let before = values[gapStart - 1]
                let after = values[index]
                for offset in 0..<length {
                    let fraction = Double(offset + 1) / Double(length + 1)
                    values[gapStart + offset] = before + (after - before) * fraction
                }
                summary.interpolated += length
            } else {
                summary.longGaps += 1
                summary.longGapHours += length
                summary.segments += 1
            }
        }
        return summary
    }
}

/// What happened to one variable of one city during ingest.
public struct VariableSummary: Sendable, Equatable, Codable {
    /// Cells with a value in the source.
    public var observed = 0
    /// Missing cells filled by interpolation (gaps within the policy's limit).
    public var interpolated = 0
    /// Gaps longer than the limit, left missing (the series is split there).
    public var longGaps = 0
    /// Missing hours inside those long gaps.
    public var longGapHours = 0
    /// The longest run of missing hours between two observations.
    public var longestGapHours = 0
    /// Missing hours before the first observation (trimmed).
    public var trimmedStart = 0
    /// Missing hours after the last observation (trimmed).
    public var trimmedEnd = 0
    /// Contiguous segments after interpolation.
    public var segments = 0
    /// The first observed hour (Unix seconds).
    public var firstTime: Int64?
    /// The last observed hour (Unix seconds).
    public var lastTime: Int64?

    /// Creates an empty summary.
    public init() {}
}
