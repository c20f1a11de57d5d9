import ForecastVocabulary
import Foundation
import PluginBinding

/// A validated `POST /{route}/forecast` body: the caller's series, the horizon and levels.
///
/// ```json
/// {"series": [{"id": "sensor-7", "start": "2024-03-01T00:00:00Z", "step": 3600,
///              "values": [281.2, 281.0, null, 280.4]}],
///  "horizon": 24, "levels": [0.8, 0.95]}
/// ```
///
/// Values are passed to the plugin as they are (no unit conversion), `null` for an hour
/// not observed. Only hourly series are accepted (`step` 3600, the default), since the
/// plugins' seasonal terms are daily cycles of hours.
struct SeriesRequest: Sendable {
    /// One series as sent.
    struct Series: Sendable {
        /// The caller's name for it (default: its index).
        var id: String
        /// The values, NaN where the body had null.
        var series: TimeSeries
        /// The variable whose training options apply, if named (by its name: `temperature`, `wind_speed`, ...).
        var variable: Variable?
    }

    /// Every series, in the order sent.
    var series: [Series]
    /// Steps ahead, 1...168.
    var horizon: Int
    /// Interval levels, in the order asked (default 0.95).
    var levels: [Double]

    /// The only step accepted, in seconds.
    static let stepSeconds: Int64 = 3600
    /// The horizon when the body names none.
    static let defaultHorizon = 24
    private struct Body: Decodable {
        struct Item: Decodable {
            var id: String?
            var start: String
            var step: Int64?
            var values: [Double?]
            var variable: String?
        }
        var series: [Item]
        var horizon: Int?
        var levels: [Double]?
    }

    /// Parses and checks `data` against `limits`; throws the 400/413 naming what is wrong.
    static func parse(_ data: Data, limits: SeriesLimits) throws(APIError) -> SeriesRequest {
        let body: Body
        do {
            body = try JSONDecoder().decode(Body.self, from: data)
        } catch {
            throw APIError(.badRequest, code: "bad_body", message: "the body is not a forecast request: \(describe(error)); expected {\"series\": [{\"start\": \"2024-03-01T00:00:00Z\", \"values\": [281.2, null, ...]}], \"horizon\": 24, \"levels\": [0.95]}")
        }
        guard !body.series.isEmpty else {
            throw APIError(.badRequest, code: "bad_body", message: "series is empty; send at least one")
        }
        guard body.series.count <= limits.maximumSeries else {
            throw APIError(.contentTooLarge, code: "too_many_series",
                           message: "the request has \(body.series.count) series; at most \(limits.maximumSeries) per request")
        }
        let horizon = body.horizon ?? defaultHorizon
        guard (1...ForecastQuery.maxHours).contains(horizon) else {
            throw APIError(.badRequest, code: "bad_horizon", message: "horizon must be a whole number of steps from 1 to \(ForecastQuery.maxHours); got \(horizon)")
        }
        let levels = try checkedLevels(body.levels ?? [ForecastQuery.defaultLevel])
        var series: [Series] = []
        for (index, item) in body.series.enumerated() {
            let name = item.id ?? String(index)
            let label = "series \(index)" + (item.id.map { " ('\($0)')" } ?? "")
            guard item.values.count <= limits.maximumValues else {
                throw APIError(.contentTooLarge, code: "series_too_long",
                               message: "\(label) has \(item.values.count) values; at most \(limits.maximumValues) (a year of hours) per series")
            }
            guard item.values.count >= limits.minimumValues else {
                throw APIError(.unprocessableContent, code: "series_too_short",
                               message: "\(label) has \(item.values.count) values; at least \(limits.minimumValues) (two days of hours) per series")
            }
            if let value = item.values.first(where: { ($0.map(abs) ?? 0) > limits.maximumMagnitude }) {
                throw APIError(.badRequest, code: "bad_body",
                               message: "\(label) has the value \(value!); values must be within ±\(JSONText.number(limits.maximumMagnitude))")
            }
            guard let start = ISOTime.parse(item.start), ISOTime.format(start) == item.start else {
                throw APIError(.badRequest, code: "bad_body", message: "\(label): start must be a UTC time like 2024-03-01T00:00:00Z; got '\(item.start)'")
            }
            let step = item.step ?? stepSeconds
            guard step == stepSeconds else {
                throw APIError(.badRequest, code: "bad_step", message: "\(label): step must be 3600 (hourly series only); got \(step)")
            }
            var variable: Variable?
            if let name = item.variable {
                guard let named = Variable(rawValue: name) else {
                    throw APIError(.badRequest, code: "bad_body",
                                   message: "\(label): variable must be one of \(Variable.allCases.map(\.name).joined(separator: ", ")) (it picks that variable's training options); got '\(name)'")
                }
                variable = named
            }
            guard item.values.contains(where: { $0 != nil }) else {
                throw APIError(.unprocessableContent, code: "no_observations", message: "\(label) has no values that are not null")
            }
            let values = item.values.map { $0 ?? .nan }
            series.append(Series(id: name, series: TimeSeries(values: values, startTime: start, stepSeconds: step),
                                 variable: variable))
        }
        return SeriesRequest(series: series, horizon: horizon, levels: levels)
    }

    /// `levels` when each is strictly between 0 and 1 and there are at most ``ForecastQuery/maxLevels``; duplicates dropped.
    static func checkedLevels(_ levels: [Double]) throws(APIError) -> [Double] {
        guard !levels.isEmpty, levels.count <= ForecastQuery.maxLevels else {
            throw APIError(.badRequest, code: "bad_level", message: "levels must list 1 to \(ForecastQuery.maxLevels) levels; got \(levels.count)")
        }
        var result: [Double] = []
        for level in levels {
            guard level.isFinite, level > 0, level < 1 else {
                throw APIError(.badRequest, code: "bad_level", message: "every level must be strictly between 0 and 1, e.g. 0.8 or 0.95; got \(level)")
            }
            if !result.contains(level) { result.append(level) }
        }
        return result
    }

    /// A decoding error in a sentence: where and what.
    static func describe(_ error: any Error) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            let text = keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return text.isEmpty ? "the body" : String(text.drop { $0 == "." })
        }
        switch error as? DecodingError {
        case .keyNotFound(let key, let context)?: return "\(path(context.codingPath + [key])) is missing"
        case .typeMismatch(_, let context)?: return "\(path(context.codingPath)) has the wrong type (\(context.debugDescription))"
        case .valueNotFound(_, let context)?: return "\(path(context.codingPath)) is null"
        case .dataCorrupted(let context)?: return "\(path(context.codingPath)): \(context.debugDescription)"
        default: return "\(error)"
        }
    }
}
