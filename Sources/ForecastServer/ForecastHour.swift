import Foundation

/// One forecast hour that combines both variables, in the requested units.
public struct ForecastHour: Sendable, Equatable {
    /// Unix seconds of the hour.
    public var time: Int64
    /// Temperature in the requested unit, with its interval.
    public var temperature: Double, temperatureLower: Double, temperatureUpper: Double
    /// Relative humidity in percent (within 0...100), with its interval.
    public var humidity: Double, humidityLower: Double, humidityUpper: Double
}

extension ForecastHour {
    /// Reads one entry of a forecast body's `forecast` list.
    init?(json: [String: Any]) {
        func number(_ key: String) -> Double? { (json[key] as? NSNumber)?.doubleValue }
        guard let timeText = json["time"] as? String, let time = ISOTime.parse(timeText),
              let t = number("temperature"), let tl = number("temperatureLower"), let tu = number("temperatureUpper"),
              let h = number("humidity"), let hl = number("humidityLower"), let hu = number("humidityUpper") else { return nil }
        self.init(time: time, temperature: t, temperatureLower: tl, temperatureUpper: tu,
                  humidity: h, humidityLower: hl, humidityUpper: hu)
    }
}
