import Foundation
import ForecastVocabulary

/// A validated forecast request: hours ahead, city, units and interval levels.
public struct ForecastQuery: Sendable, Hashable {
    /// The longest horizon served (one week of hours).
    public static let maxHours = 168
    /// The interval level used when the request names none.
    public static let defaultLevel = 0.95
    /// The most interval levels one request may ask for.
    public static let maxLevels = 8

    /// Steps ahead, 1...168.
    public var hours: Int
    /// The city as requested (or the configured default).
    public var city: String
    /// Temperature unit.
    public var units: TemperatureUnit
    /// Wind speed unit (`wind_speed_units`: `m/s`, the default, or `km/h`).
    public var windSpeedUnits: MeasurementUnit = .metresPerSecond
    /// Central interval levels, each strictly between 0 and 1, distinct, in the order asked;
    /// never empty. The first is the one the per-hour `...Lower`/`...Upper` fields carry.
    public var levels: [Double]

    /// The unit `variable` is answered in: `units` for temperature, `windSpeedUnits` for
    /// wind speed, the stored unit for the others.
    public func unit(for variable: Variable) -> MeasurementUnit {
        switch variable {
        case .temperature: units.measurementUnit
        case .windSpeed: windSpeedUnits
        default: variable.storedUnit
        }
    }

    /// The wind speed units a request may name.
    public static var windSpeedUnitNames: [String] { Variable.windSpeed.answerUnits.map(\.rawValue) }

    /// The first level: the one the per-hour interval fields carry.
    public var level: Double { levels[0] }

    /// Creates a query with one level (already valid).
    public init(hours: Int, city: String, units: TemperatureUnit = .celsius, level: Double = defaultLevel) {
        self.init(hours: hours, city: city, units: units, levels: [level])
    }

    /// Creates a query with several levels (already valid, not empty).
    public init(hours: Int, city: String, units: TemperatureUnit = .celsius, levels: [Double]) {
        self.hours = hours
        self.city = city
        self.units = units
        self.levels = levels.isEmpty ? [Self.defaultLevel] : levels
    }

    /// Parses the path's `hours` and the query's `city`, `units` and `level` (one level, or
    /// several separated by commas: `0.8,0.95`).
    ///
    /// Throws a 400 ``APIError`` naming the bad parameter and what is allowed.
    public static func parse(hours: String?, city: String?, units: String?, level: String?,
                             windSpeedUnits: String? = nil, defaultCity: String) throws(APIError) -> ForecastQuery {
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
        let intervals = try level.map(parseLevels) ?? [defaultLevel]
        var name = defaultCity
        if let city {
            let trimmed = city.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else {
                throw APIError(.badRequest, code: "bad_city", message: "city must not be empty; leave it out for the default (\(defaultCity))")
            }
            name = trimmed
        }
        var query = ForecastQuery(hours: value, city: name, units: unit, levels: intervals)
        if let windSpeedUnits {
            guard let parsed = Variable.windSpeed.answerUnits.first(where: { $0.rawValue == windSpeedUnits.lowercased() }) else {
                throw APIError(.badRequest, code: "bad_units",
                               message: "wind_speed_units must be one of \(windSpeedUnitNames.joined(separator: ", ")); got '\(windSpeedUnits)'")
            }
            query.windSpeedUnits = parsed
        }
        return query
    }

    /// The form of one level, as the OpenAPI document states it: a decimal fraction of 1 to
    /// 15 digits, not all zero, with a non-zero digit among the first 8 and at most 7
    /// digits after it (`0.8`, `.95`, `0.100000010`). Every level the pattern admits is
    /// strictly between 0 and 1, and every level the server accepts matches it.
    public static let levelPattern = "0?\\.[0-9]{0,7}[1-9][0-9]{0,7}"

    /// Whether `text` is one level of ``levelPattern``'s form.
    static func isLevel(_ text: Substring) -> Bool {
        var rest = text.utf8[...]
        if rest.first == UInt8(ascii: "0") { rest = rest.dropFirst() }
        guard rest.first == UInt8(ascii: ".") else { return false }
        let digits = Array(rest.dropFirst())
        guard digits.count <= 15, digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return false }
        // The pattern's [1-9] sits at a 1-based position i with i <= 8 and digits - i <= 7.
        let positions = max(1, digits.count - 7)...8
        return positions.contains { $0 <= digits.count && digits[$0 - 1] != UInt8(ascii: "0") }
    }

    /// Parses `0.95` or `0.8,0.95`: up to ``maxLevels`` levels of ``levelPattern``'s form,
    /// strictly between 0 and 1; a level named twice counts once.
    public static func parseLevels(_ text: String) throws(APIError) -> [Double] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count <= maxLevels else {
            throw APIError(.badRequest, code: "bad_level",
                           message: "level lists at most \(maxLevels) levels separated by commas; got \(parts.count)")
        }
        var levels: [Double] = []
        for part in parts {
            guard isLevel(part), let parsed = Double(part), parsed > 0, parsed < 1 else {
                throw APIError(.badRequest, code: "bad_level",
                               message: "level must be a decimal fraction strictly between 0 and 1 (e.g. 0.95; at most 15 digits), or up to \(maxLevels) such levels separated by commas (e.g. 0.8,0.95); got '\(text)'")
            }
            if !levels.contains(parsed) { levels.append(parsed) }
        }
        return levels
    }
}
