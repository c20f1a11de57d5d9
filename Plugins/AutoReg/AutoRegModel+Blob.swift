import ForecastMath
import PluginKit

extension AutoRegModel {
    /// The blob's four-character tag.
    static let blobMagic = "AREG"
    /// The blob format version this plugin writes; it reads this, version 2 (no scale per
    /// hour of the day) and version 1 (no bounds, Gaussian intervals).
    static let blobVersion: UInt32 = 3
    /// The largest serialized calibration accepted (numbers).
    static let calibrationLimit = 1_000_000

    /// The model as a versioned, little-endian blob (a few hundred bytes to a few KB).
    ///
    /// Layout after the magic and version: trend code, seasonal period (0 = none),
    /// deterministic coefficients, lag coefficients, sigma2, the last p observations,
    /// the observation count (time index of the first forecast step), the last
    /// observation's time, the step in seconds; since version 2 the bounds (0 or 2
    /// numbers) and the interval calibration (0 numbers, or ``LeadTimeErrorQuantiles``'s
    /// serialized form); since version 3 the error scales per lead and hour of the day
    /// (the daily cycle's count, 0 for none, then leads x count numbers, lead 1's first).
    var blob: [UInt8] {
        var writer = BlobWriter(magic: Self.blobMagic, version: Self.blobVersion)
        writer.append(Int64(terms.trend.code))
        writer.append(Int64(terms.period ?? 0))
        writer.append(deterministicCoefficients)
        writer.append(lagCoefficients)
        writer.append(sigma2)
        writer.append(recent)
        writer.append(Int64(observationCount))
        writer.append(lastTime)
        writer.append(stepSeconds)
        writer.append(bounds.map { [$0.lowerBound, $0.upperBound] } ?? [])
        writer.append(calibration?.serialized ?? [])
        writer.append(Int64(phaseScales?.first?.count ?? 0))
        writer.append(phaseScales?.flatMap { $0 } ?? [])
        return writer.bytes
    }

    /// Reads a blob written by ``blob``; anything else is ``PluginError/badModel(_:)``.
    init(blob bytes: [UInt8]) throws(PluginError) {
        var reader = try BlobReader(bytes, magic: Self.blobMagic, supportedVersions: 1...Self.blobVersion)
        let trendCode = try reader.readInt("trend code", in: 0...3)
        guard let trend = TrendTerms(code: trendCode) else { throw .badModel("the model blob has an unknown trend code \(trendCode)") }
        let period = try reader.readInt("seasonal period", in: 0...AutoRegOptions.periodLimit)
        guard period != 1 else { throw .badModel("the model blob has a seasonal period of 1") }
        let terms = DeterministicTerms(trend: trend, period: period == 0 ? nil : period)
        let deterministic = try reader.readDoubles("deterministic coefficients", maxCount: terms.columnCount)
        guard deterministic.count == terms.columnCount else {
            throw .badModel("the model blob has \(deterministic.count) deterministic coefficients; its terms need \(terms.columnCount)")
        }
        let lags = try reader.readDoubles("lag coefficients", maxCount: AutoRegOptions.maxlagLimit + AutoRegOptions.periodLimit)
        let sigma2 = try reader.readFiniteDouble("sigma2")
        guard sigma2 >= 0 else { throw .badModel("the model blob has a negative variance \(sigma2)") }
        let recent = try reader.readDoubles("recent observations", maxCount: AutoRegOptions.maxlagLimit + AutoRegOptions.periodLimit)
        guard recent.count == lags.count else {
            throw .badModel("the model blob keeps \(recent.count) recent observations for \(lags.count) lags")
        }
        let count = try reader.readInt("observation count", in: lags.count...Int(Int32.max))
        let lastTime = try reader.readTime("last observation time")
        let step = try reader.readStepSeconds("step seconds")
        var bounds: ClosedRange<Double>?
        var calibration: LeadTimeErrorQuantiles?
        var phaseScales: [[Double]]?
        if reader.version >= 2 {
            let pair = try reader.readDoubles("bounds", maxCount: 2)
            switch pair.count {
            case 0: break
            case 2 where pair[0] < pair[1]: bounds = pair[0]...pair[1]
            default: throw .badModel("the model blob has invalid bounds \(pair)")
            }
            let numbers = try reader.readDoubles("interval calibration", maxCount: Self.calibrationLimit)
            if !numbers.isEmpty {
                do {
                    calibration = try LeadTimeErrorQuantiles(serialized: numbers)
                } catch {
                    throw .badModel("the model blob's interval calibration is invalid: \(error.description)")
                }
            }
        }
        if reader.version >= 3 {
            let cycle = try reader.readInt("daily cycle", in: 0...1000)
            let scales = try reader.readDoubles("hour-of-day scales", maxCount: 1000 * IntervalCalibration.horizon)
            if cycle == 0 {
                guard scales.isEmpty else { throw .badModel("the model blob has \(scales.count) hour-of-day scales without a daily cycle") }
            } else {
                guard calibration != nil, cycle >= 2, !scales.isEmpty, scales.count % cycle == 0,
                      scales.allSatisfy({ $0.isFinite && $0 > 0 }) else {
                    throw .badModel("the model blob's \(scales.count) hour-of-day scales for a cycle of \(cycle) are invalid (whole days, positive and finite, with a calibration)")
                }
                phaseScales = stride(from: 0, to: scales.count, by: cycle).map { Array(scales[$0..<($0 + cycle)]) }
            }
        }
        try reader.requireEnd()
        self.init(terms: terms, deterministicCoefficients: deterministic, lagCoefficients: lags, sigma2: sigma2,
                  recent: recent, observationCount: count, lastTime: lastTime, stepSeconds: step,
                  bounds: bounds, calibration: calibration, phaseScales: phaseScales)
    }
}
