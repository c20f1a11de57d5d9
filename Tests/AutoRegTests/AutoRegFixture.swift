import Foundation
import TestSupport

/// One committed statsmodels reference case (Tests/Fixtures/autoreg/<case>.json), written
/// by scripts/reference/autoreg_reference.py.
struct AutoRegFixture: Decodable {
    /// Interval bounds at one level.
    struct Bounds: Decodable {
        var lower: [Double]
        var upper: [Double]
    }

    /// The forecast of a model fitted on the first `split` values and conditioned on the rest.
    struct Conditioned: Decodable {
        var split: Int
        var selected_lags: Int
        var params: [Double]
        var mean: [Double]
        var intervals: [String: Bounds]
    }

    var `case`: String
    var options: [String: OptionValue]
    var series: [Double]
    var selected_lags: Int
    var criteria: [String: [Double]]
    var params: [Double]
    var param_names: [String]
    var sigma2: Double
    var nobs: Int
    var aic: Double
    var bic: Double
    var hqic: Double
    var horizon: Int
    var mean: [Double]
    var intervals: [String: Bounds]
    var conditioned: Conditioned

    /// An option value as stored in the fixture: a number, a string or a flag.
    enum OptionValue: Decodable {
        case int(Int)
        case string(String)
        case bool(Bool)

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let flag = try? container.decode(Bool.self) {
                self = .bool(flag)
            } else if let number = try? container.decode(Int.self) {
                self = .int(number)
            } else {
                self = .string(try container.decode(String.self))
            }
        }

        var json: String {
            switch self {
            case .int(let value): return "\(value)"
            case .string(let value): return "\"\(value)\""
            case .bool(let value): return value ? "true" : "false"
            }
        }
    }

    /// The options that reproduce statsmodels, pinned whatever the defaults are: levels
    /// (no differencing), lag count by information criterion, Gaussian intervals.
    static let statsmodelsPins: [String: OptionValue] = [
        "difference": .int(0), "selection": .string("ic"), "intervals": .string("gaussian"),
    ]

    /// The options as the JSON object the plugin receives: the fixture's, plus the pins.
    var optionsJSON: String {
        let all = options.merging(Self.statsmodelsPins) { fixture, _ in fixture }
        return "{" + all.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value.json)" }.joined(separator: ", ") + "}"
    }

    /// The committed case names.
    static let names = [
        "ar3_aic_c", "ar3_hqic_ct", "sunspots_bic_c", "sunspots_aic_t", "macro_infl_aic_n",
        "hourly_seasonal_bic_c", "hourly_seasonal_aic_n", "hourly_seasonal_hqic_ct",
        "white_noise_bic_c", "white_noise_bic_n",
    ]

    /// Reads the fixture `name`.
    static func load(_ name: String) throws -> AutoRegFixture {
        let data = try Data(contentsOf: URL(fileURLWithPath: BuildProducts.fixture("autoreg/\(name).json")))
        return try JSONDecoder().decode(AutoRegFixture.self, from: data)
    }
}

/// What the plugin's summary JSON says, for comparison with the fixtures.
struct AutoRegSummaryView: Decodable {
    var selected_lags: Int
    var params: [Double]
    var param_names: [String]
    var sigma2: Double
    var nobs: Int
    var aic: Double
    var bic: Double
    var hqic: Double
    var criteria: [String: [Double]]
    var maxlag: Int
    var trend: String
    var seasonal: Bool
    var period: Int?

    init(json: String) throws {
        self = try JSONDecoder().decode(AutoRegSummaryView.self, from: Data(json.utf8))
    }
}

/// Compares element-wise: `|actual - expected| <= tolerance * scale`, where the scale is
/// `|expected|` (relative), or 1 (absolute); returns whether all pass and the worst ratio.
func close(_ actual: [Double], _ expected: [Double], tolerance: Double, relative: Bool) -> (ok: Bool, worst: Double) {
    guard actual.count == expected.count else { return (false, .infinity) }
    var worst = 0.0
    for (a, e) in zip(actual, expected) {
        let error = abs(a - e) / (relative ? abs(e) : 1)
        if !(error <= worst) { worst = error }
    }
    return (worst <= tolerance, worst)
}
