import ForecastVocabulary

/// The unit temperatures are answered in (the `units` query parameter); models always work
/// in kelvin. The temperature rows of the variable table (``Variable/answerUnits``).
public enum TemperatureUnit: String, Sendable, CaseIterable, Hashable {
    /// Degrees Celsius (the default).
    case celsius
    /// Kelvin, as the models see it.
    case kelvin
    /// Degrees Fahrenheit.
    case fahrenheit

    /// The unit of the variable table.
    public var measurementUnit: MeasurementUnit {
        switch self {
        case .celsius: .celsius
        case .kelvin: .kelvin
        case .fahrenheit: .fahrenheit
        }
    }

    /// The symbol written beside numbers: `°C`, `K`, `°F`.
    public var symbol: String { measurementUnit.symbol }

    /// Converts a temperature (or an interval bound) from kelvin.
    public func fromKelvin(_ kelvin: Double) -> Double { measurementUnit.fromStored(kelvin) }
}
