import PluginKit

extension AutoRegModel {
    /// The blob's four-character tag.
    static let blobMagic = "AREG"
    /// The blob format version this plugin writes and reads.
    static let blobVersion: UInt32 = 1

    /// The model as a versioned, little-endian blob (a few hundred bytes to a few KB).
    ///
    /// Layout after the magic and version: trend code, seasonal period (0 = none),
    /// deterministic coefficients, lag coefficients, sigma2, the last p observations,
    /// the observation count (time index of the first forecast step), the last
    /// observation's time, the step in seconds.
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
        return writer.bytes
    }

    /// Reads a blob written by ``blob``; anything else is ``PluginError/badModel(_:)``.
    init(blob bytes: [UInt8]) throws(PluginError) {
        var reader = try BlobReader(bytes, magic: Self.blobMagic, supportedVersions: Self.blobVersion...Self.blobVersion)
        let trendCode = try reader.readInt("trend code", in: 0...3)
        guard let trend = TrendTerms(code: trendCode) else { throw .badModel("the model blob has an unknown trend code \(trendCode)") }
        let period = try reader.readInt("seasonal period", in: 0...AutoRegOptions.periodLimit)
        guard period != 1 else { throw .badModel("the model blob has a seasonal period of 1") }
        let terms = DeterministicTerms(trend: trend, period: period == 0 ? nil : period)
        let deterministic = try reader.readDoubles("deterministic coefficients", maxCount: terms.columnCount)
        guard deterministic.count == terms.columnCount else {
            throw .badModel("the model blob has \(deterministic.count) deterministic coefficients; its terms need \(terms.columnCount)")
        }
        let lags = try reader.readDoubles("lag coefficients", maxCount: AutoRegOptions.maxlagLimit)
        let sigma2 = try reader.readFiniteDouble("sigma2")
        guard sigma2 >= 0 else { throw .badModel("the model blob has a negative variance \(sigma2)") }
        let recent = try reader.readDoubles("recent observations", maxCount: AutoRegOptions.maxlagLimit)
        guard recent.count == lags.count else {
            throw .badModel("the model blob keeps \(recent.count) recent observations for \(lags.count) lags")
        }
        let count = try reader.readInt("observation count", in: lags.count...Int(Int32.max))
        let lastTime = try reader.readTime("last observation time")
        let step = try reader.readStepSeconds("step seconds")
        try reader.requireEnd()
        self.init(terms: terms, deterministicCoefficients: deterministic, lagCoefficients: lags, sigma2: sigma2,
                  recent: recent, observationCount: count, lastTime: lastTime, stepSeconds: step)
    }
}
