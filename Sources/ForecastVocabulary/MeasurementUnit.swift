/// A unit a variable is stored in or answered in, with the conversion from the variable's
/// stored unit (``Variable/storedUnit``). The raw value is what a query parameter names.
public enum MeasurementUnit: String, Sendable, CaseIterable, Hashable, Codable {
    /// Kelvin: temperature as stored.
    case kelvin
    /// Degrees Celsius.
    case celsius
    /// Degrees Fahrenheit.
    case fahrenheit
    /// Percent: relative humidity as stored.
    case percent
    /// Hectopascals: pressure as stored.
    case hectopascal = "hPa"
    /// Metres per second: wind speed as stored.
    case metresPerSecond = "m/s"
    /// Kilometres per hour.
    case kilometresPerHour = "km/h"

    /// The symbol written beside numbers.
    public var symbol: String {
        switch self {
        case .kelvin: "K"
        case .celsius: "°C"
        case .fahrenheit: "°F"
        case .percent: "%"
        case .hectopascal: "hPa"
        case .metresPerSecond: "m/s"
        case .kilometresPerHour: "km/h"
        }
    }

    /// Converts a value (or an interval bound) given in the stored unit of the variable
    /// this unit belongs to: kelvin for the temperature units, m/s for km/h; the stored
    /// units convert to themselves.
    public func fromStored(_ value: Double) -> Double {
        switch self {
        case .kelvin, .percent, .hectopascal, .metresPerSecond: value
        case .celsius: value - 273.15
        case .fahrenheit: (value - 273.15) * 9 / 5 + 32
        case .kilometresPerHour: value * 3.6
        }
    }
}
