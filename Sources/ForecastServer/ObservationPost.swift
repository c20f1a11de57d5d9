import Foundation
import ForecastStore
import ForecastVocabulary

/// The body of `POST /observations`, parsed and checked: hourly observations of one or
/// more cities, in the units the store keeps (kelvin, percent, hPa, m/s).
///
/// JSON (`application/json`):
/// `{"observations": [{"city": "Portland", "time": "2017-11-30T01:00:00Z", "temperature": 280.1, "humidity": 75}]}`;
/// any variable of the table (`pressure`, `wind_speed` or `windSpeed` too) may be left out
/// or null (not observed), not all. CSV (`text/csv`, with `?variable=<name>`, e.g.
/// `temperature` or `pressure`): the source's wide format, a `datetime` column
/// (`2017-11-30 01:00:00` or `2017-11-30T01:00:00Z`) and one column per city, an empty
/// cell for an hour not observed. Columns of cities the server does not know are skipped
/// (and named in the answer), so the source's file can be posted as it is.
///
/// Every problem is collected, so one answer names them all (the first
/// ``maximumNamed``): a time that is not a whole UTC hour or lies in the future, a value
/// outside the variable's physical range (the bounds ingest enforces), an unknown city, and
/// the same city and hour given twice with different values. The same hour twice with the
/// same values is one observation.
struct ObservationPost: Sendable {
    /// The observations, one per city and hour, sorted by city and time.
    var observations: [Observation]
    /// CSV: the city columns skipped because the server knows no such city (the source's
    /// file has every city; a server may keep a few).
    var ignoredCities: [String] = []

    /// How many problems a message names before it says "and N more".
    static let maximumNamed = 5

    /// A body that cannot be stored: the status code to answer and every problem.
    struct Refusal: Error {
        /// `bad_body` (not parseable, 400), `unknown_city` (every problem is a city the
        /// server does not know, 404) or `invalid_observations` (422).
        var code: String
        /// One sentence per problem.
        var problems: [String]

        /// The problems, the first few named.
        var message: String { ObservationPost.summary(problems) }
    }

    /// `problems` as one message: the first ``maximumNamed``, then how many more.
    static func summary(_ problems: [String]) -> String {
        let named = problems.prefix(maximumNamed).joined(separator: "; ")
        return problems.count > maximumNamed ? "\(named); and \(problems.count - maximumNamed) more" : named
    }

    /// Parses a JSON body. `knownCities` are the cities observations may be for; `now`
    /// (Unix seconds) is the latest hour accepted.
    static func parseJSON(_ bytes: [UInt8], knownCities: Set<String>, now: Int64) throws(Refusal) -> ObservationPost {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes))
        } catch {
            throw Refusal(code: "bad_body", problems: ["the body is not JSON: \(error.localizedDescription)"])
        }
        guard let top = object as? [String: Any], let list = top["observations"] as? [Any] else {
            let fields = (["city", "time"] + Variable.allCases.map(\.name)).map { "\"\($0)\"" }.joined(separator: ", ")
            throw Refusal(code: "bad_body", problems: [#"the body must be a JSON object {"observations": [{"# + fields + "}, ...]}"])
        }
        if let unknown = top.keys.first(where: { $0 != "observations" }) {
            throw Refusal(code: "bad_body", problems: ["unknown key '\(unknown)' (only \"observations\")"])
        }
        var rows: [(city: String, time: Int64, values: [Variable: Double])] = []
        var problems: [String] = []
        let keys = Set(["city", "time"] + Variable.allCases.flatMap { [$0.name, $0.fieldName] })
        for (index, item) in list.enumerated() {
            let at = "observations[\(index)]"
            guard let entry = item as? [String: Any] else {
                problems.append("\(at) is not an object")
                continue
            }
            if let unknown = entry.keys.sorted().first(where: { !keys.contains($0) }) {
                problems.append("\(at) has an unknown key '\(unknown)'")
                continue
            }
            guard let city = entry["city"] as? String, !city.isEmpty else {
                problems.append("\(at) has no city")
                continue
            }
            guard let text = entry["time"] as? String, let time = parseTime(text) else {
                problems.append("\(at) (\(city)) needs a time like 2017-11-30T01:00:00Z")
                continue
            }
            var values: [Variable: Double] = [:]
            for variable in Variable.allCases {
                for name in Set([variable.name, variable.fieldName]).sorted() {
                    switch entry[name] {
                    case nil, is NSNull: break
                    case let number as NSNumber where String(cString: number.objCType) != "c":
                        values[variable] = number.doubleValue
                    default:
                        problems.append("\(at) (\(city) \(text)): \(name) is not a number")
                    }
                }
            }
            rows.append((city, time, values))
        }
        return try check(rows, problems: problems, knownCities: knownCities, now: now)
    }

    /// Parses a CSV body in the source's wide format for `variable` (a variable's name: `temperature`, `pressure`, ...).
    static func parseCSV(_ bytes: [UInt8], variable name: String?, knownCities: Set<String>, now: Int64) throws(Refusal) -> ObservationPost {
        guard let name, let variable = Variable(named: name) else {
            throw Refusal(code: "bad_body", problems: ["a CSV body needs ?variable=" + Variable.allCases.map(\.name).joined(separator: " or ?variable=")])
        }
        let text = String(decoding: bytes, as: UTF8.self)
        var lines = text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
        guard !lines.isEmpty else { throw Refusal(code: "bad_body", problems: ["the CSV body is empty"]) }
        let header = lines.removeFirst().split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        guard header.count >= 2, header[0] == "datetime" else {
            throw Refusal(code: "bad_body", problems: ["the CSV header must be datetime,<city>,<city>,...; got '\(header.joined(separator: ","))'"])
        }
        var rows: [(city: String, time: Int64, values: [Variable: Double])] = []
        var problems: [String] = []
        for (number, line) in lines.enumerated() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            let at = "line \(number + 2)"
            guard fields.count == header.count else {
                problems.append("\(at) has \(fields.count) fields; the header has \(header.count)")
                continue
            }
            guard let time = parseTime(fields[0]) else {
                problems.append("\(at): '\(fields[0])' is not a time like 2017-11-30 01:00:00")
                continue
            }
            for column in 1..<fields.count where !fields[column].isEmpty && knownCities.contains(header[column]) {
                guard let value = Double(fields[column]) else {
                    problems.append("\(at) (\(header[column])): '\(fields[column])' is not a number")
                    continue
                }
                rows.append((header[column], time, [variable: value]))
            }
        }
        var post = try check(rows, problems: problems, knownCities: knownCities, now: now)
        post.ignoredCities = header.dropFirst().filter { !knownCities.contains($0) }
        return post
    }

    /// `2017-11-30T01:00:00Z` or the source's `2017-11-30 01:00:00` (UTC).
    static func parseTime(_ text: String) -> Int64? {
        if let time = ISOTime.parse(text) { return time }
        guard text.utf8.count == 19 else { return nil }
        var bytes = Array(text.utf8)
        guard bytes[10] == UInt8(ascii: " ") else { return nil }
        bytes[10] = UInt8(ascii: "T")
        return ISOTime.parse(String(decoding: bytes, as: UTF8.self) + "Z")
    }

    /// Checks and merges parsed rows; throws every problem found (including `problems`).
    static func check(_ rows: [(city: String, time: Int64, values: [Variable: Double])], problems initial: [String],
                      knownCities: Set<String>, now: Int64) throws(Refusal) -> ObservationPost {
        var problems = initial
        var merged: [String: [Int64: [Variable: Double]]] = [:]
        var unknown: Set<String> = []
        let latest = now - now % 3600
        for row in rows {
            let at = "\(row.city) \(ISOTime.format(row.time))"
            if !knownCities.contains(row.city) {
                if unknown.insert(row.city).inserted {
                    problems.append("unknown city '\(row.city)' (known: \(knownCities.sorted().joined(separator: ", ")))")
                }
                continue
            }
            guard row.time % 3600 == 0 else {
                problems.append("\(at) is not a whole UTC hour")
                continue
            }
            guard row.time <= latest else {
                problems.append("\(at) is in the future (now is \(ISOTime.format(now)))")
                continue
            }
            guard !row.values.isEmpty else {
                problems.append("\(at) has no value (\(Variable.allCases.map(\.name).joined(separator: ", ")))")
                continue
            }
            var bad = false
            for variable in Variable.allCases {
                guard let value = row.values[variable] else { continue }
                let range = variable.validRange
                if !value.isFinite || !range.contains(value) {
                    problems.append("\(at): \(variable.rawValue) \(value) \(variable.unit) is outside \(range.lowerBound)...\(range.upperBound)")
                    bad = true
                }
            }
            if bad { continue }
            var existing = merged[row.city, default: [:]][row.time] ?? [:]
            for variable in Variable.allCases {
                guard let value = row.values[variable] else { continue }
                if let earlier = existing[variable], earlier != value {
                    problems.append("\(at): \(variable.name) is given twice with different values (\(earlier) and \(value))")
                    continue
                }
                existing[variable] = value
            }
            merged[row.city, default: [:]][row.time] = existing
        }
        // An unknown city is a 404, as on the forecast routes; the other problems are a 422.
        guard problems.isEmpty else {
            throw Refusal(code: problems.count == unknown.count ? "unknown_city" : "invalid_observations", problems: problems)
        }
        var observations: [Observation] = []
        for city in merged.keys.sorted() {
            for (time, values) in merged[city]!.sorted(by: { $0.key < $1.key }) {
                observations.append(Observation(city: city, time: time, values: values.mapValues { Optional($0) }))
            }
        }
        return ObservationPost(observations: observations)
    }
}
