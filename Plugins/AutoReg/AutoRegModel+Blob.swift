import ForecastMath
import PluginKit

extension AutoRegModel {
    /// The blob's four-character tag.
    static let blobMagic = "AREG"
    /// The blob format version this plugin writes; it reads this and version 1 (which has
    /// no bounds and Gaussian intervals).
    static let blobVersion: UInt32 = 2
    /// The largest serialized calibration accepted (numbers).
    static let calibrationLimit = 1_000_000

    /// The model as a versioned, little-endian blob (a few hundred bytes to a few KB).
    ///
    /// Layout after the magic and version: trend code, seasonal period (0 = none),
    /// deterministic coefficients, lag coefficients, sigma2, the last p observations,
    /// the observation count (time index of the first forecast step), the last
    /// observation's time, the step in seconds; since version 2 the bounds (0 or 2
    /// numbers) and the interval calibration (0 numbers, or ``LeadTimeErrorQuantiles``'s
    /// serialized form).
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
        try reader.requireEnd()
        self.init(terms: terms, deterministicCoefficients: deterministic, lagCoefficients: lags, sigma2: sigma2,
                  recent: recent, observationCount: count, lastTime: lastTime, stepSeconds: step,
                  bounds: bounds, calibration: calibration)
    }
}
