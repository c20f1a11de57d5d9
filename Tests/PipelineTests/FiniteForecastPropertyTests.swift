import Foundation
@testable import ForecastPipeline
import PluginBinding
import TestSupport
import Testing

/// Property test of every bundled plugin: a finite series that trains gives finite forecasts.
///
/// Series are drawn from a seeded generator in shapes that stress a fit (random walks,
/// steps, spikes, constants, tiny and huge scales, short and long); a series a plugin
/// refuses is fine, but a model it accepts must forecast finite means inside finite,
/// ordered bounds at every horizon up to a week.
@Suite("finite series give finite forecasts (property tests)")
struct FiniteForecastPropertyTests {
    static let products = ["ARIMA", "AutoReg", "SeasonalNaive"]

    /// A series of one of eight shapes, chosen by the generator.
    static func series(_ random: inout SplitMix64) -> [Double] {
        let count = 48 + Int(random.next() % 500)
        let scale = [1e-6, 1e-2, 1, 50, 1e4, 1e8][Int(random.next() % 6)]
        let level = (random.uniform() - 0.5) * 2 * scale * 10
        var values: [Double] = []
        var walk = level
        for hour in 0..<count {
            let noise = random.normal() * scale
            let value: Double
            switch random.next() % 8 {
            case 0: walk += noise; value = walk
            case 1: value = level + (hour < count / 2 ? 0 : 20 * scale) + noise * 0.01
            case 2: value = level + (random.next() % 50 == 0 ? 1000 * scale : noise)
            case 3: value = level
            case 4: value = level + scale * sin(Double(hour) * .pi / 12) + noise * 0.1
            case 5: value = level + Double(hour) * scale * 0.01 + noise
            case 6: value = level + (hour % 24 < 12 ? scale : -scale)
            default: value = level + noise
            }
            values.append(value)
        }
        return values
    }

    @Test("every model a plugin accepts forecasts finite, ordered values up to 168 hours", arguments: products)
    func finiteForecasts(product: String) throws {
        let plugin = try BuildProducts.plugin(product)
        var random = SplitMix64(seed: 0x5EED_0000 + UInt64(product.utf8.count))
        var trained = 0
        for index in 0..<12 {
            let values = Self.series(&random)
            #expect(values.allSatisfy { $0.isFinite })
            let series = TimeSeries(values: values, startTime: 1_349_092_800)
            guard let output = try? plugin.train(series, options: "{}") else { continue }
            trained += 1
            let model = try plugin.loadModel(output.blob)
            let level = 0.5 + random.uniform() * 0.49
            let forecast = try model.forecast(horizon: 168, level: level)
            let context = "\(product) case \(index): \(values.count) points, level \(level)"
            #expect(forecast.mean.count == 168, "\(context)")
            #expect(forecast.mean.allSatisfy { $0.isFinite } && forecast.lower.allSatisfy { $0.isFinite } && forecast.upper.allSatisfy { $0.isFinite },
                    "\(context)")
            #expect(zip(forecast.lower, zip(forecast.mean, forecast.upper)).allSatisfy { $0 <= $1.0 && $1.0 <= $1.1 }, "\(context)")
        }
        // The property says nothing if every series was refused.
        #expect(trained >= 6, "\(product) trained only \(trained) of 12 series")
    }
}
