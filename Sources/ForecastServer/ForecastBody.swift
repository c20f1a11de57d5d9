import Foundation
import PluginHost

/// Runs the models of a city and renders the documented forecast body.
enum ForecastBody {
    /// Forecasts `query.hours` hours for `models`, starting one step after the last observation.
    ///
    /// Temperatures are converted from kelvin; humidity is kept within 0...100 percent,
    /// since a relative humidity outside that range is not a forecast anyone can use.
    ///
    /// A plugin error is a 500 (`forecast_failed`); a worker that crashed, timed out or is
    /// down for a restart is a 503 (`plugin_unavailable`) saying why.
    static func hours(models: CityModels, query: ForecastQuery) async throws(APIError) -> [ForecastHour] {
        let temperature: ForecastOutput
        let humidity: ForecastOutput
        do {
            temperature = try await forecast(models.temperature, lead: models.leadSteps(models.temperature), query: query)
            humidity = try await forecast(models.humidity, lead: models.leadSteps(models.humidity), query: query)
        } catch {
            switch error {
            case .plugin(let failure):
                throw APIError(.internalServerError, code: "forecast_failed", message: "the model could not forecast: \(failure)")
            case .unavailable:
                throw APIError(.serviceUnavailable, code: "plugin_unavailable", message: "the model could not forecast: \(error)")
            }
        }
        let unit = query.units
        let clamp = { (value: Double) in min(max(value, 0), 100) }
        return (0..<query.hours).map { step in
            ForecastHour(
                time: models.lastObserved + Int64(step + 1) * models.stepSeconds,
                temperature: JSONText.rounded(unit.fromKelvin(temperature.mean[step])),
                temperatureLower: JSONText.rounded(unit.fromKelvin(temperature.lower[step])),
                temperatureUpper: JSONText.rounded(unit.fromKelvin(temperature.upper[step])),
                humidity: JSONText.rounded(clamp(humidity.mean[step])),
                humidityLower: JSONText.rounded(clamp(humidity.lower[step])),
                humidityUpper: JSONText.rounded(clamp(humidity.upper[step])))
        }
    }

    /// Forecasts `lead + query.hours` steps and keeps the last `query.hours`, so that the
    /// model that ends earlier lines up with the one that ends later.
    private static func forecast(_ variable: VariableModel, lead: Int, query: ForecastQuery) async throws(WorkerError) -> ForecastOutput {
        let output = try await variable.model.forecast(horizon: lead + query.hours, level: query.level)
        guard lead > 0 else { return output }
        return ForecastOutput(mean: Array(output.mean.dropFirst(lead)), lower: Array(output.lower.dropFirst(lead)),
                              upper: Array(output.upper.dropFirst(lead)))
    }

    /// The JSON body of `GET /{route}/forecast/{hours}`.
    static func render(route: ForecastConfig.Route, routeModels: RouteModels, models: CityModels,
                       generation: Int, query: ForecastQuery, hours: [ForecastHour]) -> String {
        var json = JSONWriter(capacity: 512 + hours.count * 200)
        json.beginObject()
        writeService(&json, route: route, routeModels: routeModels)
        json.beginObject("model")
        json.string("city", models.city)
        json.int("generation", Int64(generation))
        json.string("lastObserved", ISOTime.format(models.lastObserved))
        writeConditioning(&json, models)
        writeVariable(&json, "temperature", models.temperature)
        writeVariable(&json, "humidity", models.humidity)
        json.endObject()
        json.beginObject("query")
        json.string("city", models.city)
        json.int("hours", Int64(query.hours))
        json.string("units", query.units.rawValue)
        json.number("level", query.level)
        json.endObject()
        json.beginObject("units")
        json.string("temperature", query.units.symbol)
        json.string("humidity", "%")
        json.endObject()
        json.beginArray("forecast")
        for hour in hours {
            json.beginObject()
            json.string("time", ISOTime.format(hour.time))
            json.number("temperature", hour.temperature)
            json.number("temperatureLower", hour.temperatureLower)
            json.number("temperatureUpper", hour.temperatureUpper)
            json.number("humidity", hour.humidity)
            json.number("humidityLower", hour.humidityLower)
            json.number("humidityUpper", hour.humidityUpper)
            json.endObject()
        }
        json.endArray()
        json.endObject()
        return json.text
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

    /// One variable's model metadata: training window, time, and the plugin's fit summary.
    static func writeVariable(_ json: inout JSONWriter, _ name: String, _ variable: VariableModel) {
        let manifest = variable.manifest
        json.beginObject(name)
        json.string("unit", name == "temperature" ? "K" : "%")
        json.string("firstObserved", ISOTime.format(manifest.firstTime))
        json.string("lastObserved", ISOTime.format(manifest.lastTime))
        json.int("observations", Int64(manifest.count))
        json.string("trainedAt", ISOTime.format(manifest.trainedAt))
        json.number("trainingSeconds", JSONText.rounded(manifest.trainingSeconds))
        json.string("pluginVersion", manifest.pluginVersion)
        json.raw("options", variable.optionsJSON)
        json.raw("summary", variable.summaryJSON)
        json.string("sha256", manifest.blobSHA256)
        json.endObject()
    }
}
