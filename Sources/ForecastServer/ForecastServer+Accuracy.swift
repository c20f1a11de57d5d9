import ForecastConfiguration
import ForecastVocabulary
import Foundation
import Hummingbird
import ModelFiles

extension ForecastServer {
    /// `GET /{route}/accuracy?city=NAME`: how the route's forecasts scored against the
    /// observations that arrived after them (see ``AccuracyTracker``), per city, variable
    /// and lead band: `n` scored leads, `mae`, `rmse`, `coverage95` (share inside the 95%
    /// interval) and `skill` (1 - MAE / MAE of the baseline route on the same leads), in
    /// the store's units (kelvin, percent); null where nothing is scored yet. Without
    /// `city`, every city of the route.
    func accuracyResponse(_ route: ForecastConfig.Route, request: Request) throws(APIError) -> Response {
        let city = request.uri.queryParameters.get("city").flatMap { $0.isEmpty ? nil : $0 }
        guard case .plugin(let plugin) = route.target else {
            throw APIError(.notFound, code: "not_found", message: "/\(route.name) is served upstream; ask it for its accuracy")
        }
        let totals = accuracy.totals(plugin: plugin, city: city)
        if let city, totals.isEmpty {
            let models = library.current.routes[route.name]
            if models?.cities[CityName.slug(city)] == nil {
                let known = (models?.sortedCities.map(\.city) ?? []).joined(separator: ", ")
                throw APIError(.notFound, code: "unknown_city", message: "/\(route.name) has no model for city '\(city)'; cities: \(known)")
            }
        }
        var json = JSONWriter()
        json.beginObject()
        json.string("route", route.name)
        json.optionalString("baseline", accuracy.baselineRoute)
        json.int("horizonHours", Int64(AccuracyTracker.horizon))
        json.int("windowOrigins", AccuracyTracker.windowOrigins)
        json.beginObject("units")
        for variable in Variable.allCases { json.string(variable.name, variable.unit) }
        json.endObject()
        json.beginArray("cities")
        for name in totals.keys.sorted() {
            json.beginObject()
            json.string("city", name)
            json.beginObject("variables")
            for (variable, bands) in totals[name]!.sorted(by: { $0.key < $1.key }) {
                json.beginArray(variable)
                for (index, sums) in bands.enumerated() {
                    json.beginObject()
                    json.string("band", AccuracyTracker.bands[index])
                    json.int("n", Int64(sums.count))
                    Self.optionalNumber(&json, "mae", sums.mae)
                    Self.optionalNumber(&json, "rmse", sums.rmse)
                    Self.optionalNumber(&json, "coverage95", sums.coverage)
                    Self.optionalNumber(&json, "skill", sums.skill)
                    json.endObject()
                }
                json.endArray()
            }
            json.endObject()
            json.endObject()
        }
        json.endArray()
        json.endObject()
        return Self.json(json.text)
    }

    private static func optionalNumber(_ json: inout JSONWriter, _ key: String, _ value: Double?) {
        if let value { json.number(key, value) } else { json.raw(key, "null") }
    }

    /// The accuracy gauges of `/metrics`: MAE, RMSE, coverage and scored leads per route,
    /// city, variable and band.
    func accuracyMetrics() -> String {
        let names = [("forecast_accuracy_mae", "Mean absolute error of the served forecasts, store units"),
                     ("forecast_accuracy_rmse", "Root mean squared error of the served forecasts, store units"),
                     ("forecast_accuracy_coverage95", "Share of observations inside the 95% interval"),
                     ("forecast_accuracy_scored_total", "Forecast leads scored in the window")]
        var lines = Array(repeating: "", count: names.count)
        for route in routes {
            guard case .plugin(let plugin) = route.target else { continue }
            let totals = accuracy.totals(plugin: plugin, city: nil)
            for city in totals.keys.sorted() {
                for (variable, bands) in totals[city]!.sorted(by: { $0.key < $1.key }) {
                    for (index, sums) in bands.enumerated() {
                        let labels = "{route=\"\(Self.label(route.name))\",city=\"\(Self.label(city))\",variable=\"\(variable)\",band=\"\(AccuracyTracker.bands[index])\"}"
                        for (slot, value) in [sums.mae, sums.rmse, sums.coverage, Double(sums.count)].enumerated() {
                            if let value { lines[slot] += "\(names[slot].0)\(labels) \(value)\n" }
                        }
                    }
                }
            }
        }
        var text = ""
        for (slot, (name, help)) in names.enumerated() where !lines[slot].isEmpty {
            text += "# HELP \(name) \(help)\n# TYPE \(name) gauge\n" + lines[slot]
        }
        return text
    }

    private static func label(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}

extension ForecastServer {
    /// `accuracy.bin` in the work directory: beside the model repository's root.
    static func accuracyPath(_ repository: ModelRepository) -> String {
        URL(fileURLWithPath: repository.root).deletingLastPathComponent().appendingPathComponent("accuracy.bin").path
    }

    /// `accuracy.json`, the first format's file, converted once when found.
    static func legacyAccuracyPath(_ repository: ModelRepository) -> String {
        URL(fileURLWithPath: repository.root).deletingLastPathComponent().appendingPathComponent("accuracy.json").path
    }
}
