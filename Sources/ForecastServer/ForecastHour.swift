import Foundation
import ForecastVocabulary

/// One forecast hour of every variable the city has a model of, in the requested units.
public struct ForecastHour: Sendable, Equatable {
    /// One variable's mean and bounds (of the first level asked) at the hour.
    public struct Value: Sendable, Equatable {
        /// The mean.
        public var mean: Double
        /// The lower bound.
        public var lower: Double
        /// The upper bound.
        public var upper: Double

        /// Creates a value.
        public init(mean: Double, lower: Double, upper: Double) {
            self.mean = mean
            self.lower = lower
            self.upper = upper
        }
    }

    /// Unix seconds of the hour.
    public var time: Int64
    /// Per variable with a model, its value (JSON: `<field>`, `<field>Lower`, `<field>Upper`,
    /// the field named by ``Variable/fieldName``).
    public var values: [Variable: Value]

    /// Creates an hour.
    public init(time: Int64, values: [Variable: Value]) {
        self.time = time
        self.values = values
    }

    /// Creates an hour of temperature and humidity.
    public init(time: Int64, temperature: Double, temperatureLower: Double, temperatureUpper: Double,
                humidity: Double, humidityLower: Double, humidityUpper: Double) {
        self.init(time: time, values: [
            .temperature: Value(mean: temperature, lower: temperatureLower, upper: temperatureUpper),
            .humidity: Value(mean: humidity, lower: humidityLower, upper: humidityUpper),
        ])
    }

    /// Temperature in the requested unit (NaN when the city has no temperature model).
    public var temperature: Double { values[.temperature]?.mean ?? .nan }
    /// Its lower bound.
    public var temperatureLower: Double { values[.temperature]?.lower ?? .nan }
    /// Its upper bound.
    public var temperatureUpper: Double { values[.temperature]?.upper ?? .nan }
    /// Relative humidity in percent (within 0...100; NaN when the city has no humidity model).
    public var humidity: Double { values[.humidity]?.mean ?? .nan }
    /// Its lower bound.
    public var humidityLower: Double { values[.humidity]?.lower ?? .nan }
    /// Its upper bound.
    public var humidityUpper: Double { values[.humidity]?.upper ?? .nan }
}

extension ForecastHour {
    /// Reads one entry of a forecast body's `forecast` list: every variable whose three
    /// fields are there; nil without a time or any variable.
    init?(json: [String: Any]) {
        func number(_ key: String) -> Double? { (json[key] as? NSNumber)?.doubleValue }
        guard let timeText = json["time"] as? String, let time = ISOTime.parse(timeText) else { return nil }
        var values: [Variable: Value] = [:]
        for variable in Variable.allCases {
            let field = variable.fieldName
            guard let mean = number(field), let lower = number(field + "Lower"), let upper = number(field + "Upper") else { continue }
            values[variable] = Value(mean: mean, lower: lower, upper: upper)
        }
        guard !values.isEmpty else { return nil }
        self.init(time: time, values: values)
    }
}
