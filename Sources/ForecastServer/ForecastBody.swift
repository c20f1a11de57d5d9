import ForecastConfiguration
import ForecastVocabulary
import Foundation
import ModelFiles
import PluginBinding
import PluginProcesses

/// Runs the models of a city and renders the documented forecast body.
enum ForecastBody {
    /// Forecasts `query.hours` hours for `models` at the first level of `query`, starting
    /// one step after the last observation (the page's use: one level).
    static func hours(models: CityModels, query: ForecastQuery) async throws(APIError) -> [ForecastHour] {
        var single = query
        single.levels = [query.level]
        return try await forecast(models: models, query: single).hours
    }

    /// Forecasts `query.hours` hours for `models` at every level of `query`, starting one
    /// step after the last observation: every variable the city has a model of.
    ///
    /// Each variable is converted to the unit asked (``ForecastQuery/unit(for:)``) and kept
    /// within its ``Variable/answerBounds`` (humidity within 0...100 percent, wind speed not
    /// below 0), since a value outside them is not a forecast anyone can use. The plugin ABI
    /// forecasts one level per call, so each level is one call per variable; the means come
    /// from the first (a plugin's mean does not depend on the level).
    ///
    /// A plugin error is a 500 (`forecast_failed`); a worker that crashed, timed out or is
    /// down for a restart is a 503 (`plugin_unavailable`) saying why.
    static func forecast(models: CityModels, query: ForecastQuery) async throws(APIError) -> ForecastResult {
        // outputs[v][l]: variable v of models.models at level l.
        var outputs: [[ForecastOutput]] = models.models.map { _ in [] }
        do {
            for level in query.levels {
                for (index, entry) in models.models.enumerated() {
                    outputs[index].append(try await forecast(entry.model, lead: models.leadSteps(entry.model),
                                                             hours: query.hours, level: level))
                }
            }
        } catch {
            switch error {
            case .plugin(let failure):
                throw APIError(.internalServerError, code: "forecast_failed", message: "the model could not forecast: \(failure)")
            case .unavailable:
                throw APIError(.serviceUnavailable, code: "plugin_unavailable", message: "the model could not forecast: \(error)")
            }
        }
        let converters = models.variables.map { variable in
            let unit = query.unit(for: variable), bounds = variable.answerBounds
            return { (value: Double) -> Double in
                let bounded = bounds.map { min(max(value, $0.lowerBound), $0.upperBound) } ?? value
                return JSONText.rounded(unit.fromStored(bounded))
            }
        }
        let bands = query.levels.indices.map { level in
            var bounds: [Variable: ForecastBand.Bounds] = [:]
            for (index, variable) in models.variables.enumerated() {
                let output = outputs[index][level], convert = converters[index]
                bounds[variable] = ForecastBand.Bounds(lower: output.lower.map(convert), upper: output.upper.map(convert))
            }
            return ForecastBand(level: query.levels[level], bounds: bounds)
        }
        let first = bands[0]
        let hours = (0..<query.hours).map { step in
            var values: [Variable: ForecastHour.Value] = [:]
            for (index, variable) in models.variables.enumerated() {
                let band = first.bounds[variable]!
                values[variable] = ForecastHour.Value(mean: converters[index](outputs[index][0].mean[step]),
                                                      lower: band.lower[step], upper: band.upper[step])
            }
            return ForecastHour(time: models.lastObserved + Int64(step + 1) * models.stepSeconds, values: values)
        }
        return ForecastResult(hours: hours, bands: bands)
    }

    /// Forecasts `lead + hours` steps at `level` and keeps the last `hours`, so that the
    /// model that ends earlier lines up with the one that ends later.
    private static func forecast(_ variable: VariableModel, lead: Int, hours: Int, level: Double) async throws(WorkerError) -> ForecastOutput {
        let output = try await variable.model.forecast(horizon: lead + hours, level: level)
        guard lead > 0 else { return output }
        return ForecastOutput(mean: Array(output.mean.dropFirst(lead)), lower: Array(output.lower.dropFirst(lead)),
                              upper: Array(output.upper.dropFirst(lead)))
    }

    /// The JSON body of `GET /{route}/forecast/{hours}`.
    static func render(route: ForecastConfig.Route, routeModels: RouteModels, models: CityModels,
                       generation: Int, query: ForecastQuery, result: ForecastResult) -> String {
        let hours = result.hours
        let variables = models.variables
        var json = JSONWriter(capacity: 1024 + hours.count * 100 * variables.count * result.bands.count)
        json.beginObject()
        writeService(&json, route: route, routeModels: routeModels)
        json.beginObject("model")
        json.string("city", models.city)
        json.int("generation", Int64(generation))
        json.string("lastObserved", ISOTime.format(models.lastObserved))
        writeConditioning(&json, models)
        json.string("details", "/\(route.name)/models/\(CityName.slug(models.city))")
        for (variable, model) in models.models { writeIdentity(&json, variable.fieldName, model) }
        json.endObject()
        json.beginObject("query")
        json.string("city", models.city)
        json.int("hours", Int64(query.hours))
        json.string("units", query.units.rawValue)
        if variables.contains(.windSpeed) { json.string("windSpeedUnits", query.windSpeedUnits.rawValue) }
        json.number("level", query.level)
        json.beginArray("levels")
        for level in query.levels { json.number(nil, level) }
        json.endArray()
        json.endObject()
        json.beginObject("units")
        for variable in variables { json.string(variable.fieldName, query.unit(for: variable).symbol) }
        json.endObject()
        json.beginArray("forecast")
        for hour in hours {
            json.beginObject()
            json.string("time", ISOTime.format(hour.time))
            for variable in variables {
                guard let value = hour.values[variable] else { continue }
                json.number(variable.fieldName, value.mean)
                json.number(variable.fieldName + "Lower", value.lower)
                json.number(variable.fieldName + "Upper", value.upper)
            }
            json.endObject()
        }
        json.endArray()
        writeIntervals(&json, result.bands)
        json.endObject()
        return json.text
    }

    /// The `intervals` list: per level asked, its bounds as arrays aligned with `forecast`.
    static func writeIntervals(_ json: inout JSONWriter, _ bands: [ForecastBand]) {
        json.beginArray("intervals")
        for band in bands {
            json.beginObject()
            json.number("level", band.level)
            for variable in Variable.allCases {
                guard let bounds = band.bounds[variable] else { continue }
                for (key, values) in [(variable.fieldName + "Lower", bounds.lower), (variable.fieldName + "Upper", bounds.upper)] {
                    json.beginArray(key)
                    for value in values { json.number(nil, value) }
                    json.endArray()
                }
            }
            json.endObject()
        }
        json.endArray()
    }

    /// The `service` object: route, plugin and its version.
    static func writeService(_ json: inout JSONWriter, route: ForecastConfig.Route, routeModels: RouteModels) {
        json.beginObject("service")
        json.string("route", route.name)
        json.optionalString("description", route.description ?? routeModels.plugin?.summary)
        json.string("plugin", routeModels.pluginName)
        json.optionalString("pluginVersion", routeModels.plugin?.version)
        json.optionalString("abiVersion", routeModels.plugin?.abiVersionText)
        json.endObject()
    }

    /// What a forecast says about one variable's model: who made it, when, on data up to
    /// when, and the plugin's one line about the fit (``SummaryDescription``). The whole
    /// fit is at `GET /{route}/models/{city}` (``writeVariable(_:_:_:)``).
    static func writeIdentity(_ json: inout JSONWriter, _ name: String, _ variable: VariableModel) {
        let manifest = variable.manifest
        json.beginObject(name)
        json.string("plugin", manifest.plugin)
        json.string("pluginVersion", manifest.pluginVersion)
        json.string("description", SummaryDescription.line(summaryJSON: variable.summaryJSON, plugin: manifest.plugin,
                                                           version: manifest.pluginVersion))
        json.string("trainedAt", ISOTime.format(manifest.trainedAt))
        json.string("trainingEnd", ISOTime.format(manifest.lastTime))
        json.int("observations", Int64(manifest.count))
        json.endObject()
    }

    /// A city's models in full (`GET /{route}` and `GET /{route}/models/{city}`): the city,
    /// its last observed and first forecast hours, and each variable's metadata and fit.
    static func writeCityModels(_ json: inout JSONWriter, _ city: CityModels) {
        json.string("city", city.city)
        json.string("lastObserved", ISOTime.format(city.lastObserved))
        json.string("firstForecast", ISOTime.format(city.lastObserved + city.stepSeconds))
        for (variable, model) in city.models { writeVariable(&json, variable, model) }
    }

    /// One variable's model metadata: training window, time, and the plugin's fit summary.
    static func writeVariable(_ json: inout JSONWriter, _ name: Variable, _ variable: VariableModel) {
        let manifest = variable.manifest
        json.beginObject(name.fieldName)
        json.string("unit", name.unit)
        json.string("firstObserved", ISOTime.format(manifest.firstTime))
        json.string("lastObserved", ISOTime.format(manifest.lastTime))
        json.int("observations", Int64(manifest.count))
        json.string("trainedAt", ISOTime.format(manifest.trainedAt))
        json.number("trainingSeconds", JSONText.rounded(manifest.trainingSeconds))
        json.string("pluginVersion", manifest.pluginVersion)
        json.string("description", SummaryDescription.line(summaryJSON: variable.summaryJSON, plugin: manifest.plugin,
                                                           version: manifest.pluginVersion))
        json.raw("options", variable.optionsJSON)
        json.raw("summary", variable.summaryJSON)
        json.string("sha256", manifest.blobSHA256)
        json.endObject()
    }
}
