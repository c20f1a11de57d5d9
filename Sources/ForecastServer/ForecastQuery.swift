import Foundation

/// A validated forecast request: hours ahead, city, units and interval level.
public struct ForecastQuery: Sendable, Hashable {
    /// The longest horizon served (one week of hours).
    public static let maxHours = 168
    /// The interval level used when the request names none.
    public static let defaultLevel = 0.95

    /// Steps ahead, 1...168.
    public var hours: Int
    /// The city as requested (or the configured default).
    public var city: String
    /// Temperature unit.
    public var units: TemperatureUnit
    /// Central interval level, strictly between 0 and 1.
    public var level: Double

    /// Creates a query (already valid).
    public init(hours: Int, city: String, units: TemperatureUnit = .celsius, level: Double = defaultLevel) {
        self.hours = hours
        self.city = city
        self.units = units
        self.level = level
    }

    /// Parses the path's `hours` and the query's `city`, `units` and `level`.
    ///
    /// Throws a 400 ``APIError`` naming the bad parameter and what is allowed.
    public static func parse(hours: String?, city: String?, units: String?, level: String?,
                             defaultCity: String) throws(APIError) -> ForecastQuery {
        guard let hoursText = hours, let value = Int(hoursText), (1...maxHours).contains(value) else {
            throw APIError(.badRequest, code: "bad_hours",
                           message: "hours must be a whole number from 1 to \(maxHours) (24, 48 and 72 are typical); got '\(hours ?? "")'")
        }
        var unit = TemperatureUnit.celsius
        if let units {
            guard let parsed = TemperatureUnit(rawValue: units.lowercased()) else {
                throw APIError(.badRequest, code: "bad_units",
                               message: "units must be one of celsius, kelvin, fahrenheit; got '\(units)'")
            }
            unit = parsed
        }
        var interval = defaultLevel
        if let level {
            guard let parsed = Double(level), parsed.isFinite, parsed > 0, parsed < 1 else {
                throw APIError(.badRequest, code: "bad_level",
                               message: "level must be a number strictly between 0 and 1, e.g. 0.8 or 0.95; got '\(level)'")
            }
            interval = parsed
        }
        var name = defaultCity
        if let city {
            let trimmed = city.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else {
                throw APIError(.badRequest, code: "bad_city", message: "city must not be empty; leave it out for the default (\(defaultCity))")
            }
            name = trimmed
        }
        return ForecastQuery(hours: value, city: name, units: unit, level: interval)
    }
}
