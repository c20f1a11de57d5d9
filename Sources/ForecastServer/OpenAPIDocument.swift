import ForecastConfiguration
import ForecastVocabulary
import Foundation
import ModelFiles

/// The OpenAPI 3.1 document served at `/openapi.json`, generated from the routes served.
///
/// Every route appears with its concrete path (`/v1`, `/v1/forecast/{hours}`), so the
/// document lists exactly what this host answers; the tests call every path in it.
enum OpenAPIDocument {
    /// The API's version (`info.version`): the major number changes when a field clients
    /// read goes away, the minor when endpoints, parameters or fields are added.
    /// 1.1: several levels per request (`level=0.8,0.95`, `intervals`).
    /// 2.0: a forecast's `model` carries each model's identity and one-line description,
    /// not its fit summary and options, which moved to `GET /{route}/models/{city}`.
    /// 2.1: `POST /{route}/forecast` forecasts series the caller sends.
    /// 2.2: every variable of the table (pressure in hPa, wind speed in m/s or km/h with
    /// `wind_speed_units`); a body carries the fields of the variables the city has models
    /// of, named as temperature's and humidity's always were (`pressure`, `pressureLower`, ...); `/readyz` says `draining` (503 between SIGTERM and the shutdown).
    static let version = "2.2.0"

    /// The document as JSON text (keys sorted, so it is byte-stable).
    static func render(routes: [ForecastConfig.Route], defaultCity: String, limits: SeriesLimits = SeriesLimits()) -> String {
        let object = document(routes: routes, defaultCity: defaultCity, limits: limits)
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func document(routes: [ForecastConfig.Route], defaultCity: String, limits: SeriesLimits = SeriesLimits()) -> [String: Any] {
        var paths: [String: Any] = [
            "/": ["get": operation(id: "page", summary: "HTML page: per city, the last week of observations and each route's 72-hour forecast as inline SVG",
                                   responses: ["200": content("text/html", schema: ["type": "string"], description: "The page")])],
            "/healthz": ["get": operation(id: "healthz", summary: "Liveness: the process answers",
                                          responses: ["200": jsonContent(ref: "Health", description: "Alive")])],
            "/readyz": ["get": operation(id: "readyz", summary: "Readiness: every in-process route has models for at least one city",
                                         responses: ["200": jsonContent(ref: "Readiness", description: "Ready"),
                                                     "503": jsonContent(ref: "Readiness", description: "Some route has no models, or the server is draining after SIGTERM")])],
            "/metrics": ["get": operation(id: "metrics", summary: "Prometheus metrics: requests and latency per route and status, model age",
                                          responses: ["200": content("text/plain", schema: ["type": "string"], description: "Exposition format 0.0.4")])],
            "/openapi.json": ["get": operation(id: "openapi", summary: "This document",
                                               responses: ["200": content("application/json", schema: ["type": "object"], description: "OpenAPI 3.1")])],
            "/admin/reload": ["post": operation(id: "reload", summary: "Reload model files with no downtime (loopback peers only; SIGHUP does the same)",
                                                responses: ["200": jsonContent(ref: "Reload", description: "The new models serve"),
                                                            "401": errorResponse("The server has a write token and the request carries none"),
                                                            "403": errorResponse("The token is wrong, or the server has none and the peer is not on loopback"),
                                                            "409": errorResponse("Refused: a city that serves now would break; the old models keep serving")])],
            "/observations": ["post": ObservationsEndpointDocument.operation(errorResponse: errorResponse)],
        ]
        for route in routes {
            let id = route.name.replacingOccurrences(of: "-", with: "_")
            switch route.target {
            case .plugin(let plugin):
                let about = route.description.map { "\($0) " } ?? ""
                paths["/\(route.name)"] = ["get": operation(
                    id: "\(id)_info", summary: "\(about)(plugin \(plugin)): the service and the models it holds",
                    responses: ["200": jsonContent(ref: "RouteInfo", description: "The service"),
                                "404": errorResponse("Unknown route")])]
                paths["/\(route.name)/forecast/{hours}"] = ["get": forecastOperation(id: id, route: route, plugin: plugin, defaultCity: defaultCity)]
                paths["/\(route.name)/accuracy"] = ["get": AccuracyEndpointDocument.operation(id: id, route: route.name, errorResponse: errorResponse)]
                var models = operation(
                    id: "\(id)_models", summary: "\(about)(plugin \(plugin)): one city's models in full, with the plugin's fit summaries and training options",
                    responses: ["200": jsonContent(ref: "CityModels", description: "The city's models, one per variable trained"),
                                "404": errorResponse("Unknown city (code unknown_city)"),
                                "503": errorResponse("No usable model for the route or city (code model_unavailable)")])
                models["parameters"] = [["name": "city", "in": "path", "required": true,
                                         "description": "City name or slug, e.g. \(defaultCity) or \(CityName.slug(defaultCity))",
                                         "schema": ["type": "string", "minLength": 1],
                                         "examples": ["name": ["value": defaultCity], "slug": ["value": CityName.slug(defaultCity)]]]]
                paths["/\(route.name)/models/{city}"] = ["get": models]
                paths["/\(route.name)/forecast"] = ["post": seriesOperation(id: id, route: route, plugin: plugin, limits: limits)]
            case .upstream(let url):
                let proxied = ["200": ["description": "The upstream's answer, passed through"],
                               "502": errorResponse("The upstream failed or is unreachable"),
                               "504": errorResponse("The upstream did not answer within \(JSONText.number(route.timeoutSeconds)) s")]
                paths["/\(route.name)"] = ["get": operation(id: "\(id)_info", summary: "Proxied to \(url)", responses: proxied)]
                var forecast = forecastOperation(id: id, route: route, plugin: nil, defaultCity: defaultCity)
                var responses = forecast["responses"] as? [String: Any] ?? [:]
                responses["502"] = proxied["502"]
                responses["504"] = proxied["504"]
                forecast["responses"] = responses
                forecast["summary"] = "Forecast proxied to \(url)/forecast/{hours}"
                paths["/\(route.name)/forecast/{hours}"] = ["get": forecast]
            }
        }
        return [
            "openapi": "3.1.0",
            "info": ["title": "forecast", "version": version,
                     "description": "Hourly forecasts of temperature, humidity, pressure and wind speed (each variable a city has models of) from plugin models, with prediction intervals. Errors are JSON: {\"error\": {\"code\", \"message\"}}. A method a path does not list answers 405 method_not_allowed with an Allow header (HEAD is answered wherever GET is)."],
            "paths": paths,
            "components": ["schemas": schemas, "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer"]]],
        ]
    }

    private static func forecastOperation(id: String, route: ForecastConfig.Route, plugin: String?, defaultCity: String) -> [String: Any] {
        var result = operation(
            id: "\(id)_forecast",
            summary: "Forecast every variable the city has models of (temperature, humidity, pressure, wind speed) for the next `hours` hours from /\(route.name)" + (plugin.map { " (plugin \($0))" } ?? ""),
            responses: ["200": jsonContent(ref: "Forecast", description: "One entry per hour, starting the hour after the last observation"),
                        "400": errorResponse("Bad hours, units, level or city (codes bad_hours, bad_units, bad_level, bad_city)"),
                        "404": errorResponse("Unknown city (code unknown_city)"),
                        "503": errorResponse("No usable model for the route or city (code model_unavailable), or the plugin's worker is down for a restart (code plugin_unavailable)")])
        result["parameters"] = [
            ["name": "hours", "in": "path", "required": true, "description": "Hours ahead (24, 48 and 72 are typical)",
             "schema": ["type": "integer", "minimum": 1, "maximum": ForecastQuery.maxHours]],
            ["name": "city", "in": "query", "required": false, "description": "City name, e.g. \(defaultCity)",
             "schema": ["type": "string", "minLength": 1, "default": defaultCity]],
            ["name": "units", "in": "query", "required": false, "description": "Temperature unit",
             "schema": ["type": "string", "enum": TemperatureUnit.allCases.map(\.rawValue), "default": "celsius"]],
            ["name": "wind_speed_units", "in": "query", "required": false, "description": "Wind speed unit",
             "schema": ["type": "string", "enum": ForecastQuery.windSpeedUnitNames, "default": MeasurementUnit.metresPerSecond.rawValue]],
            ["name": "level", "in": "query", "required": false,
             "description": "Central prediction-interval level, or up to \(ForecastQuery.maxLevels) levels separated by commas (every band is in `intervals`; the per-hour bounds are the first level's). Each a decimal fraction strictly between 0 and 1.",
             "schema": ["type": "string", "pattern": levelListPattern, "default": JSONText.number(ForecastQuery.defaultLevel)],
             "examples": ["one": ["value": "0.95", "summary": "the 95% interval"],
                          "two": ["value": "0.8,0.95", "summary": "the 80% and 95% intervals"]]],
        ]
        return result
    }

    /// `POST /{route}/forecast`: the caller's series, trained on and forecast.
    private static func seriesOperation(id: String, route: ForecastConfig.Route, plugin: String, limits: SeriesLimits) -> [String: Any] {
        let limitsText = "Limits: at most \(limits.maximumBodyBytes) bytes of body (413 body_too_large), \(limits.maximumSeries) series (413 too_many_series), \(limits.minimumValues) to \(limits.maximumValues) values per series (422 series_too_short, 413 series_too_long), values within ±\(JSONText.number(limits.maximumMagnitude)), \(JSONText.number(limits.trainingSeconds)) s of training per series (422 training_time_limit); \(limits.concurrentTrainings) trainings at once with \(limits.queuedRequests) requests queued, beyond that 503 busy with Retry-After."
        var result = operation(
            id: "\(id)_forecast_series",
            summary: "Train plugin \(plugin) on each series in the body and forecast it; nothing is stored. Hourly series only (step 3600); values are passed to the plugin as they are, null for an hour not observed. " + limitsText,
            responses: [
                "200": jsonContent(ref: "SeriesForecast", description: "Per series, in order: the model's identity and its forecast at every level"),
                "400": errorResponse("A malformed body (codes bad_body, bad_step, bad_horizon, bad_level)"),
                "413": errorResponse("Past a size limit (codes body_too_large, too_many_series, series_too_long); the message names the limit"),
                "415": errorResponse("The body is not JSON (code unsupported_media_type)"),
                "422": errorResponse("The plugin cannot train on a series (codes series_too_short, no_observations, training_failed, training_time_limit); the message names the series and the limit"),
                "500": errorResponse("The plugin failed internally (code forecast_failed)"),
                "503": ["description": "Every training slot and queue place is taken (code busy), or the plugin's training worker failed (code plugin_unavailable)",
                        "headers": ["Retry-After": ["description": "Seconds to wait before retrying", "schema": ["type": "integer"]]],
                        "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]]],
            ])
        let example: [String: Any] = [
            "series": [["id": "sensor-7", "start": "2024-03-01T00:00:00Z", "step": 3600,
                        "values": (0..<72).map { hour -> Any in hour == 10 ? NSNull() : JSONText.rounded(281 + 4 * sin(Double(hour) * Double.pi / 12)) }]],
            "horizon": 24, "levels": [0.8, 0.95],
        ]
        result["requestBody"] = [
            "required": true,
            "content": ["application/json": ["schema": seriesRequestSchema(limits), "examples": ["three-days": ["summary": "Three days of hourly values, one missing", "value": example]]]],
        ]
        return result
    }

    private static func seriesRequestSchema(_ limits: SeriesLimits) -> [String: Any] {
        let value: [String: Any] = ["type": ["number", "null"], "minimum": -limits.maximumMagnitude, "maximum": limits.maximumMagnitude]
        let series: [String: Any] = [
            "type": "object", "required": ["start", "values"],
            "properties": [
                "id": ["type": ["string", "null"], "description": "The caller's name for the series (default: its index)"],
                "start": ["type": "string", "format": "date-time", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$",
                          "description": "UTC time of the first value, e.g. 2024-03-01T00:00:00Z"],
                "step": ["type": ["integer", "null"], "enum": [3600, NSNull()], "default": 3600, "description": "Seconds between values: hourly only"],
                "values": ["type": "array", "items": value, "minItems": limits.minimumValues, "maxItems": limits.maximumValues,
                           "description": "Oldest first; null for an hour not observed"],
                "variable": ["type": ["string", "null"], "enum": Variable.allCases.map(\.name) + [NSNull()] as [Any],
                             "description": "Use this variable's training options from plugins.json"],
            ],
        ]
        return [
            "type": "object", "required": ["series"],
            "properties": [
                "series": ["type": "array", "items": series, "minItems": 1, "maxItems": limits.maximumSeries],
                "horizon": ["type": ["integer", "null"], "minimum": 1, "maximum": ForecastQuery.maxHours, "default": SeriesRequest.defaultHorizon],
                "levels": ["type": ["array", "null"], "items": ["type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1],
                           "minItems": 1, "maxItems": ForecastQuery.maxLevels, "default": [ForecastQuery.defaultLevel]],
            ],
        ]
    }

    /// One level or up to ``ForecastQuery/maxLevels`` separated by commas.
    static var levelListPattern: String {
        "^\(ForecastQuery.levelPattern)(,\(ForecastQuery.levelPattern)){0,\(ForecastQuery.maxLevels - 1)}$"
    }

    private static func operation(id: String, summary: String, responses: [String: Any]) -> [String: Any] {
        ["operationId": id, "summary": summary, "responses": responses]
    }

    private static func content(_ type: String, schema: [String: Any], description: String) -> [String: Any] {
        ["description": description, "content": [type: ["schema": schema]]]
    }

    private static func jsonContent(ref: String, description: String) -> [String: Any] {
        content("application/json", schema: ["$ref": "#/components/schemas/\(ref)"], description: description)
    }

    private static func errorResponse(_ description: String) -> [String: Any] {
        jsonContent(ref: "Error", description: description)
    }

    private static var string: [String: Any] { ["type": "string"] }
    private static var number: [String: Any] { ["type": "number"] }
    private static var integer: [String: Any] { ["type": "integer"] }
    private static var numbers: [String: Any] { ["type": "array", "items": ["type": "number"]] }
    private static var dateTime: [String: Any] { ["type": "string", "format": "date-time"] }

    private static func object(_ properties: [String: Any], required: [String]? = nil) -> [String: Any] {
        ["type": "object", "properties": properties, "required": required ?? properties.keys.sorted()]
    }

    /// `properties` and, per variable of the table under its field name, `make(variable)`'s
    /// properties; only `properties` are required (a city has the variables it was trained on).
    private static func objectWithVariables(_ properties: [String: Any], _ make: (Variable) -> [String: Any]) -> [String: Any] {
        var all = properties
        for variable in Variable.allCases { all.merge(make(variable)) { old, _ in old } }
        return object(all, required: properties.keys.sorted())
    }

    private static var variableModel: [String: Any] {
        object(["unit": string, "firstObserved": dateTime, "lastObserved": dateTime, "observations": integer,
                "trainedAt": dateTime, "trainingSeconds": number, "pluginVersion": string, "description": string,
                "options": ["type": "object"], "summary": ["type": "object", "description": "The plugin's fit summary"],
                "sha256": string])
    }

    /// What a forecast says about one variable's model (the whole fit is in ``variableModel``).
    private static var modelIdentity: [String: Any] {
        object(["plugin": string, "pluginVersion": string,
                "description": ["type": "string", "description": "The plugin's one line about the fit (its summary's `description`), else the plugin's name and version"],
                "trainedAt": dateTime, "trainingEnd": ["type": "string", "format": "date-time", "description": "The last observation the model was trained on"],
                "observations": integer],
               required: ["plugin", "pluginVersion", "description", "trainedAt", "trainingEnd", "observations"])
    }

    private static var service: [String: Any] {
        object(["route": string, "description": ["type": ["string", "null"]], "plugin": string,
                "pluginVersion": ["type": ["string", "null"]], "abiVersion": ["type": ["string", "null"]]])
    }

    private static var schemas: [String: Any] {
        [
            "Error": object(["error": object(["code": string, "message": string])]),
            "Health": object(["status": ["type": "string", "const": "ok"]]),
            "Readiness": object(["ready": ["type": "boolean"], "draining": ["type": "boolean"], "generation": integer,
                                 "routes": ["type": "array", "items": ["type": "object", "required": ["route"],
                                                                       "properties": ["route": string]]],
                                 "error": object(["code": string, "message": string])],
                                required: ["ready", "generation", "routes"]),
            "Reload": object(["reloaded": ["type": "boolean"], "generation": integer,
                              "cities": ["type": "object", "additionalProperties": integer]]),
            "RouteInfo": object(["service": service, "status": ["type": "string", "enum": ["ready", "unavailable"]],
                                 "problem": ["type": ["string", "null"]], "generation": integer, "defaultCity": string,
                                 "models": ["type": "array", "items": objectWithVariables([
                                     "city": string, "lastObserved": dateTime, "firstForecast": dateTime]) { [$0.fieldName: variableModel] }],
                                 "failures": ["type": "array", "items": object(["city": string, "reason": string])],
                                 "endpoints": ["type": "object"]]),
            "SeriesForecast": object([
                "service": service,
                "query": object(["horizon": integer, "levels": ["type": "array", "items": number]]),
                "forecasts": ["type": "array", "items": object([
                    "id": string, "variable": ["type": ["string", "null"]],
                    "model": object(["plugin": string, "pluginVersion": string, "description": string, "trainingSeconds": number,
                                     "trainingStart": dateTime, "trainingEnd": dateTime, "observations": integer, "missing": integer]),
                    "forecast": ["type": "array", "items": object(["time": dateTime, "mean": number, "lower": number, "upper": number])],
                    "intervals": ["type": "array", "items": object(["level": number, "lower": numbers, "upper": numbers])],
                ])],
            ]),
            "CityModels": objectWithVariables(["service": service, "generation": integer, "city": string, "lastObserved": dateTime,
                                               "firstForecast": dateTime]) { [$0.fieldName: variableModel] },
            "Forecast": object([
                "service": service,
                "model": objectWithVariables(["city": string, "generation": integer, "lastObserved": dateTime,
                                              "details": ["type": "string", "description": "The path of the city's models in full (GET)"]]) {
                    [$0.fieldName: modelIdentity]
                },
                "query": object(["city": string, "hours": integer, "units": string, "level": number,
                                 "levels": ["type": "array", "items": number, "minItems": 1],
                                 "windSpeedUnits": ["type": "string", "enum": ForecastQuery.windSpeedUnitNames,
                                                    "description": "Present when the city has a wind speed model"]],
                                required: ["city", "hours", "units", "level", "levels"]),
                "units": objectWithVariables([:]) { variable in
                    [variable.fieldName: ["type": "string", "enum": variable.answerUnits.map(\.symbol),
                                          "description": "The unit of \(variable.fieldName), \(variable.fieldName)Lower and \(variable.fieldName)Upper"]]
                },
                "forecast": ["type": "array", "items": objectWithVariables(["time": dateTime]) { variable in
                    let name = variable.fieldName
                    return [name: ["type": "number", "description": "Mean \(variable.name) (\(variable.answerUnits.map(\.symbol).joined(separator: " or "))); present when the city has a \(variable.name) model"],
                            name + "Lower": number, name + "Upper": number]
                }],
                "intervals": ["type": "array", "description": "Per level asked, in order: its bounds, one per hour of `forecast`",
                              "items": objectWithVariables(["level": number]) { [$0.fieldName + "Lower": numbers, $0.fieldName + "Upper": numbers] }],
            ]),
        ]
    }
}
