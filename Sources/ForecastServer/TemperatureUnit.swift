/// The unit temperatures are answered in; models always work in kelvin.
public enum TemperatureUnit: String, Sendable, CaseIterable, Hashable {
    /// Degrees Celsius (the default).
    case celsius
    /// Kelvin, as the models see it.
    case kelvin
    /// Degrees Fahrenheit.
    case fahrenheit

    /// The symbol written beside numbers: `°C`, `K`, `°F`.
    public var symbol: String {
        switch self {
        case .celsius: "°C"
        case .kelvin: "K"
        case .fahrenheit: "°F"
        }
    }

    /// Converts a temperature (or an interval bound) from kelvin.
    public func fromKelvin(_ kelvin: Double) -> Double {
        switch self {
        case .kelvin: kelvin
        case .celsius: kelvin - 273.15
        case .fahrenheit: (kelvin - 273.15) * 9 / 5 + 32
        }
    }
}
