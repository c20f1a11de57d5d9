import Foundation
import TestSupport

/// One committed reference file made by scripts/reference/arima_reference.py.
struct ARIMAFixture: Decodable {
    struct FixedFit: Decodable {
        var order: [Int]
        var constant: Bool
        var params: [Double]
        var loglike: Double
        var aic: Double
        var forecast_mean: [Double]
        var lower95: [Double]
        var upper95: [Double]
        var lower80: [Double]
        var upper80: [Double]
    }

    struct AutoResult: Decodable {
        var order: [Int]
        var with_intercept: Bool
        var aic: Double
    }

    var name: String
    var values: [Double]
    var fixed: [FixedFit]
    var ndiffs_adf: Int
    var ndiffs_kpss: Int
    var auto_seed: AutoResult

    /// Every fixture series listed in `arima/index.json`.
    static func all() throws -> [ARIMAFixture] {
        let index = try JSONDecoder().decode([String].self, from: Data(contentsOf: URL(fileURLWithPath: BuildProducts.fixture("arima/index.json"))))
        return try index.map { name in
            try JSONDecoder().decode(ARIMAFixture.self, from: Data(contentsOf: URL(fileURLWithPath: BuildProducts.fixture("arima/\(name).json"))))
        }
    }
}

/// The unit-root decisions fixture (`arima/unitroot.json`).
struct UnitRootFixture: Decodable {
    var kind: String
    var values: [Double]
    var ndiffs_adf: Int
    var ndiffs_kpss: Int

    static func all() throws -> [UnitRootFixture] {
        try JSONDecoder().decode([UnitRootFixture].self, from: Data(contentsOf: URL(fileURLWithPath: BuildProducts.fixture("arima/unitroot.json"))))
    }
}

/// The fields of the plugin's JSON summary the tests read.
struct ARIMASummaryFields: Decodable {
    var order: [Int]
    var constant: Bool
    var params: [Double]
    var loglike: Double
    var aic: Double
    var sigma2: Double

    init(_ json: String) throws {
        self = try JSONDecoder().decode(ARIMASummaryFields.self, from: Data(json.utf8))
    }
}

/// Relative difference with a floor on the denominator.
func relativeError(_ a: Double, _ b: Double, floor: Double = 1e-8) -> Double {
    abs(a - b) / max(abs(b), floor)
}
