/// A measured variable: one wide CSV per variable, one column per city, one model per
/// city and plugin. The one table of what each variable is (its name in files, the store
/// and responses, its unit and the units it converts to, the range an observation must lie
/// in, the range a forecast mean must lie in) that ingest, the store's schema, training's
/// publish check, `verify-models` and the server all read; code iterates
/// ``allCases`` instead of naming variables.
///
/// Adding a variable: a case here with its rows in each property, a migration that adds its
/// store column (``Migration``), and its unit conversions; the rest follows the table.
public enum Variable: String, Sendable, CaseIterable, Codable {
    /// Air temperature in kelvin.
    case temperature
    /// Relative humidity in percent.
    case humidity
    /// Atmospheric pressure in hectopascals.
    case pressure
    /// Wind speed in metres per second.
    case windSpeed = "wind_speed"

    /// The variables a step works on when none are named: temperature and humidity, the two
    /// the course's public sources ship (the others are read when their files are there, and
    /// trained when the store has them).
    public static let defaults: [Variable] = [.temperature, .humidity]

    /// The name on the command line, of the source file (`<name>.csv`), the store column
    /// and the model file (`<name>.model`): the raw value (`wind_speed`, as the source names
    /// its file).
    public var name: String { rawValue }

    /// The variable in words, capitalised, for headings (`Relative humidity`).
    public var title: String {
        switch self {
        case .temperature: "Temperature"
        case .humidity: "Relative humidity"
        case .pressure: "Pressure"
        case .windSpeed: "Wind speed"
        }
    }

    /// The name of the per-hour fields in a forecast body (`temperature`, `temperatureLower`,
    /// ...; `windSpeed`): the JSON the server has always written, camel case.
    public var fieldName: String {
        switch self {
        case .windSpeed: "windSpeed"
        default: rawValue
        }
    }

    /// The variable named `text`: its ``name`` or ``fieldName``, any case, `-` for `_`.
    public init?(named text: String) {
        let key = String(text.lowercased().map { $0 == "-" ? "_" : $0 })
        guard let found = Variable.allCases.first(where: { $0.rawValue == key || $0.fieldName.lowercased() == key }) else { return nil }
        self = found
    }

    /// The position in ``allCases``: the index of the variable's value in a row.
    public var index: Int {
        switch self {
        case .temperature: 0
        case .humidity: 1
        case .pressure: 2
        case .windSpeed: 3
        }
    }

    /// The bit of `city_observations.imputed` that marks this variable's value as
    /// interpolated: bit ``index``.
    public var imputedBit: UInt8 { UInt8(1) << UInt8(index) }

    /// The physical range a value must lie in; anything outside is a data error.
    ///
    /// Temperature: 180-340 K (-93 to +67 °C, wider than the records ever measured on
    /// Earth). Humidity: 0-100 %. Pressure: 870-1085 hPa, the lowest and highest sea-level
    /// pressures ever measured (870 hPa in Typhoon Tip, 1979; 1084.8 hPa at Agata, Siberia,
    /// 1968); the source reports sea-level pressure. Wind speed: 0-113 m/s, the strongest
    /// surface gust ever measured (113.3 m/s, Barrow Island, 1996; hourly means lie far
    /// below it).
    public var validRange: ClosedRange<Double> {
        switch self {
        case .temperature: 180...340
        case .humidity: 0...100
        case .pressure: 870...1085
        case .windSpeed: 0...113
        }
    }

    /// The unit the store, the models and the source files use, for messages.
    public var unit: String { storedUnit.symbol }

    /// The unit values are stored and modelled in.
    public var storedUnit: MeasurementUnit {
        switch self {
        case .temperature: .kelvin
        case .humidity: .percent
        case .pressure: .hectopascal
        case .windSpeed: .metresPerSecond
        }
    }

    /// The units a forecast of the variable can be answered in (the first is the
    /// server's default): temperature in Celsius, kelvin or Fahrenheit; wind speed in
    /// m/s or km/h; humidity and pressure in their stored unit.
    public var answerUnits: [MeasurementUnit] {
        switch self {
        case .temperature: [.celsius, .kelvin, .fahrenheit]
        case .humidity: [.percent]
        case .pressure: [.hectopascal]
        case .windSpeed: [.metresPerSecond, .kilometresPerHour]
        }
    }

    /// The bounds a forecast value is clamped to before it is answered (nil: none): a
    /// relative humidity outside 0-100 % or a negative wind speed is not a forecast anyone
    /// can use, while a linear model's mean or interval may cross those bounds.
    public var answerBounds: ClosedRange<Double>? {
        switch self {
        case .humidity: 0...100
        case .windSpeed: 0...Double.greatestFiniteMagnitude
        case .temperature, .pressure: nil
        }
    }
}

extension Variable {
    /// Where a forecast's mean may lie: temperature 173-343 K (-100 to +70 °C), humidity
    /// -5 to 105 % (a linear model may overshoot the 0-100 % bounds a little; more than
    /// 5 points means the model is broken), pressure 850-1100 hPa (20 hPa beyond the
    /// records), wind speed -5 to 120 m/s (a little below calm, as for humidity, and above
    /// the strongest gust). What `forecast train` checks before publishing, `forecast serve`
    /// checks before a model serves, and `forecast verify-models` checks.
    public var plausibleForecastRange: ClosedRange<Double> {
        switch self {
        case .temperature: 173...343
        case .humidity: -5...105
        case .pressure: 850...1100
        case .windSpeed: -5...120
        }
    }

    /// Every variable's ``plausibleForecastRange`` in words, for help texts: "temperature
    /// 173 to 343 K, humidity -5 to 105 %, ...".
    public static var plausibleForecastRangesText: String {
        func number(_ value: Double) -> String {
            value == value.rounded() ? String(Int(value)) : String(value)
        }
        return allCases.map { variable in
            let range = variable.plausibleForecastRange
            return "\(String(variable.name.map { $0 == "_" ? " " : $0 })) \(number(range.lowerBound)) to \(number(range.upperBound)) \(variable.unit)"
        }.joined(separator: ", ")
    }
}
