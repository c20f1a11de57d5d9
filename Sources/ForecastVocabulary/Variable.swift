/// A measured variable: one wide CSV per variable, one column per city, one model per
/// city and plugin. The one table of what each variable is (its unit, the range an
/// observation must lie in, the range a forecast mean must lie in) that ingest, training's
/// publish check, `verify-models` and the server's load check all read.
public enum Variable: String, Sendable, CaseIterable, Codable {
    /// Air temperature in kelvin.
    case temperature
    /// Relative humidity in percent.
    case humidity

    /// The physical range a value must lie in; anything outside is a data error.
    ///
    /// Temperature: 180-340 K (-93 to +67 °C, wider than the records ever measured on
    /// Earth). Humidity: 0-100 %.
    public var validRange: ClosedRange<Double> {
        switch self {
        case .temperature: 180...340
        case .humidity: 0...100
        }
    }

    /// The unit, for messages.
    public var unit: String {
        switch self {
        case .temperature: "K"
        case .humidity: "%"
        }
    }
}

extension Variable {
    /// Where a forecast's mean may lie: temperature 173-343 K (-100 to +70 °C), humidity
    /// -5 to 105 % (a linear model may overshoot the 0-100 % bounds a little; more than
    /// 5 points means the model is broken). What `forecast train` checks before publishing,
    /// `forecast serve` checks before a model serves, and `forecast verify-models` checks.
    public var plausibleForecastRange: ClosedRange<Double> {
        switch self {
        case .temperature: 173...343
        case .humidity: -5...105
        }
    }
}
