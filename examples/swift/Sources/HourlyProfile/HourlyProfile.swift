// hourly-profile: an example forecast plugin in Swift, built with PluginKit outside the
// forecast package (see examples/README.md for the build).
//
// Model: for each hour of the day, an exponentially weighted mean of that hour's past
// values (half-life `halfLifeDays`, default 7), and an exponentially weighted mean square
// of the day-ahead errors it made, which sets a normal interval. Why this method: it is
// a seasonal simple exponential smoother, about the least a forecaster must know about
// weather (the daily cycle, a drifting season), small enough to read, and a missing hour
// simply leaves its hour's state as it was, so the plugin declares `acceptsMissingValues`
// and trains on all of the history.
import Foundation
import PluginKit

struct HourlyProfileOptions: Decodable {
    var halfLifeDays = 7.0

    private enum CodingKeys: String, CodingKey { case halfLifeDays }

    /// Every option may be left out: its default applies.
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        halfLifeDays = try container.decodeIfPresent(Double.self, forKey: .halfLifeDays) ?? halfLifeDays
    }
}

enum HourlyProfilePlugin: ForecastPlugin {
    static let name = "hourly-profile"
    static let version = "1.0.0"
    static let summary = "Exponentially weighted mean of each hour of the day (example plugin in Swift)"
    static let defaultOptionsJSON: String? = #"{"halfLifeDays": 7}"#
    static let acceptsMissingValues = true

    static func train(_ series: Series, options: String, host: HostServices) throws(PluginError) -> TrainedModel {
        let parsed = try PluginOptions.decode(HourlyProfileOptions.self, from: options, keys: ["halfLifeDays"])
        guard parsed.halfLifeDays >= 0.5, parsed.halfLifeDays <= 3650 else {
            throw .invalidArgument("halfLifeDays must be between 0.5 and 3650; got \(parsed.halfLifeDays)")
        }
        try series.requireFiniteOrMissing()
        try series.requireCount(atLeast: 2 * HourlyProfileModel.period, for: "an hourly profile")
        guard series.count - series.missingCount >= HourlyProfileModel.period + 2 else {
            throw .insufficientData("an hourly profile needs at least \(HourlyProfileModel.period + 2) observed values; the series has \(series.count - series.missingCount)")
        }
        let weight = 1 - pow(0.5, 1 / parsed.halfLifeDays)
        let empty = HourlyProfileModel(weight: weight, stepSeconds: series.stepSeconds, lastTime: series.startTime - series.stepSeconds,
                                       means: [Double](repeating: .nan, count: HourlyProfileModel.period),
                                       meanSquares: [Double](repeating: .nan, count: HourlyProfileModel.period))
        let model = empty.updated(with: series.values)
        host.progress(1, stage: "profile")
        guard model.means.allSatisfy(\.isFinite) else {
            throw .insufficientData("every hour of the day must be observed at least once; some never are")
        }
        host.log("hourly-profile: weight \(weight) per day, \(series.missingCount) of \(series.count) hours missing")
        return TrainedModel(blob: model.blob, summaryJSON: #"{"weight": \#(weight), "missing": \#(series.missingCount)}"#)
    }

    static func load(_ blob: [UInt8]) throws(PluginError) -> HourlyProfileModel {
        var reader = try BlobReader(blob, magic: "HPRF", supportedVersions: 1...1)
        let model = HourlyProfileModel(
            weight: try reader.readFiniteDouble("weight"), stepSeconds: try reader.readStepSeconds("step"),
            lastTime: try reader.readTime("last time"), means: try reader.readDoubles("means", maxCount: HourlyProfileModel.period),
            meanSquares: try reader.readDoubles("mean squares", maxCount: HourlyProfileModel.period))
        try reader.requireEnd()
        guard model.means.count == HourlyProfileModel.period, model.meanSquares.count == HourlyProfileModel.period,
              (model.means + model.meanSquares).allSatisfy(\.isFinite) else {
            throw .badModel("the model does not hold \(HourlyProfileModel.period) finite means and spreads")
        }
        return model
    }
}

struct HourlyProfileModel: ConditionableModel {
    static let period = 24
    let weight: Double
    let stepSeconds: Int64
    let lastTime: Int64
    let means: [Double]
    let meanSquares: [Double]

    var blob: [UInt8] {
        var writer = BlobWriter(magic: "HPRF", version: 1)
        writer.append(weight)
        writer.append(stepSeconds)
        writer.append(lastTime)
        writer.append(means)
        writer.append(meanSquares)
        return writer.bytes
    }

    private func phase(_ time: Int64) -> Int {
        Int(((time / stepSeconds) % Int64(Self.period) + Int64(Self.period)) % Int64(Self.period))
    }

    /// The state after `values`, which follow `lastTime`; NaN leaves its hour as it was.
    func updated(with values: [Double]) -> HourlyProfileModel {
        var means = self.means, meanSquares = self.meanSquares
        for (index, value) in values.enumerated() where !value.isNaN {
            let hour = phase(lastTime + Int64(index + 1) * stepSeconds)
            if means[hour].isNaN {
                means[hour] = value
            } else {
                let error = value - means[hour]
                meanSquares[hour] = meanSquares[hour].isNaN ? error * error : meanSquares[hour] + weight * (error * error - meanSquares[hour])
                means[hour] += weight * error
            }
        }
        // An hour seen once has no spread yet: borrow the largest of the others.
        let widest = meanSquares.filter(\.isFinite).max() ?? 0
        return HourlyProfileModel(weight: weight, stepSeconds: stepSeconds, lastTime: lastTime + Int64(values.count) * stepSeconds,
                                  means: means, meanSquares: meanSquares.map { $0.isNaN ? widest : $0 })
    }

    func conditioned(on newer: Series) throws(PluginError) -> HourlyProfileModel {
        updated(with: newer.values)
    }

    func forecast(horizon: Int, level: Double) throws(PluginError) -> ForecastResult {
        let z = Self.normalQuantile(0.5 + level / 2)
        var mean: [Double] = [], lower: [Double] = [], upper: [Double] = []
        for step in 1...horizon {
            let hour = phase(lastTime + Int64(step) * stepSeconds)
            let half = z * meanSquares[hour].squareRoot()
            mean.append(means[hour])
            lower.append(means[hour] - half)
            upper.append(means[hour] + half)
        }
        return ForecastResult(mean: mean, lower: lower, upper: upper)
    }

    /// The standard normal quantile, by bisection on erfc: exact to rounding, and short.
    static func normalQuantile(_ p: Double) -> Double {
        var low = -40.0, high = 40.0
        for _ in 0..<200 {
            let middle = (low + high) / 2
            if 0.5 * erfc(-middle / 2.0.squareRoot()) < p { low = middle } else { high = middle }
        }
        return (low + high) / 2
    }
}

@_cdecl("forecast_plugin_entry")
public func forecastPluginEntry() -> UnsafeRawPointer { PluginExport.descriptor(for: HourlyProfilePlugin.self) }
