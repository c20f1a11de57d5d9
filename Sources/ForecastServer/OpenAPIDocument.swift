import Foundation
import PluginHost

/// The OpenAPI 3.1 document served at `/openapi.json`, generated from the routes served.
///
/// Every route appears with its concrete path (`/v1`, `/v1/forecast/{hours}`), so the
/// document lists exactly what this host answers; the tests call every path in it.
enum OpenAPIDocument {
    /// The document as JSON text (keys sorted, so it is byte-stable).
    static func render(routes: [ForecastConfig.Route], defaultCity: String) -> String {
        let object = document(routes: routes, defaultCity: defaultCity)
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func document(routes: [ForecastConfig.Route], defaultCity: String) -> [String: Any] {
        var paths: [String: Any] = [
            "/": ["get": operation(id: "page", summary: "HTML page: per city, the last week of observations and each route's 72-hour forecast as inline SVG",
                                   responses: ["200": content("text/html", schema: ["type": "string"], description: "The page")])],
            "/healthz": ["get": operation(id: "healthz", summary: "Liveness: the process answers",
                                          responses: ["200": jsonContent(ref: "Health", description: "Alive")])],
            "/readyz": ["get": operation(id: "readyz", summary: "Readiness: every in-process route has models for at least one city",
                                         responses: ["200": jsonContent(ref: "Readiness", description: "Ready"),
                                                     "503": jsonContent(ref: "Readiness", description: "Some route has no models")])],
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
            "info": ["title": "forecast", "version": "1.0.0",
                     "description": "Hourly temperature and humidity forecasts from plugin models, with prediction intervals. Errors are JSON: {\"error\": {\"code\", \"message\"}}. A method a path does not list answers 405 method_not_allowed with an Allow header (HEAD is answered wherever GET is)."],
            "paths": paths,
            "components": ["schemas": schemas, "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer"]]],
        ]
    }

    private static func forecastOperation(id: String, route: ForecastConfig.Route, plugin: String?, defaultCity: String) -> [String: Any] {
        var result = operation(
            id: "\(id)_forecast",
            summary: "Forecast temperature and humidity for the next `hours` hours from /\(route.name)" + (plugin.map { " (plugin \($0))" } ?? ""),
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
            ["name": "level", "in": "query", "required": false, "description": "Central prediction-interval level",
             "schema": ["type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1, "default": ForecastQuery.defaultLevel]],
        ]
        return result
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
    private static var dateTime: [String: Any] { ["type": "string", "format": "date-time"] }

    private static func object(_ properties: [String: Any], required: [String]? = nil) -> [String: Any] {
        ["type": "object", "properties": properties, "required": required ?? properties.keys.sorted()]
    }

    private static var variableModel: [String: Any] {
        object(["unit": string, "firstObserved": dateTime, "lastObserved": dateTime, "observations": integer,
                "trainedAt": dateTime, "trainingSeconds": number, "pluginVersion": string,
                "options": ["type": "object"], "summary": ["type": "object", "description": "The plugin's fit summary"],
                "sha256": string])
    }

    private static var service: [String: Any] {
        object(["route": string, "description": ["type": ["string", "null"]], "plugin": string,
                "pluginVersion": ["type": ["string", "null"]], "abiVersion": ["type": ["string", "null"]]])
    }

    private static var schemas: [String: Any] {
        [
            "Error": object(["error": object(["code": string, "message": string])]),
            "Health": object(["status": ["type": "string", "const": "ok"]]),
            "Readiness": object(["ready": ["type": "boolean"], "generation": integer,
                                 "routes": ["type": "array", "items": ["type": "object", "required": ["route"],
                                                                       "properties": ["route": string]]],
                                 "error": object(["code": string, "message": string])],
                                required: ["ready", "generation", "routes"]),
            "Reload": object(["reloaded": ["type": "boolean"], "generation": integer,
                              "cities": ["type": "object", "additionalProperties": integer]]),
            "RouteInfo": object(["service": service, "status": ["type": "string", "enum": ["ready", "unavailable"]],
                                 "problem": ["type": ["string", "null"]], "generation": integer, "defaultCity": string,
                                 "models": ["type": "array", "items": object([
                                     "city": string, "lastObserved": dateTime, "firstForecast": dateTime,
                                     "temperature": variableModel, "humidity": variableModel])],
                                 "failures": ["type": "array", "items": object(["city": string, "reason": string])],
                                 "endpoints": ["type": "object"]]),
            "Forecast": object([
                "service": service,
                "model": object(["city": string, "generation": integer, "lastObserved": dateTime,
                                 "temperature": variableModel, "humidity": variableModel]),
                "query": object(["city": string, "hours": integer, "units": string, "level": number]),
                "units": object(["temperature": ["type": "string", "enum": TemperatureUnit.allCases.map(\.symbol)],
                                 "humidity": ["type": "string", "const": "%"]]),
                "forecast": ["type": "array", "items": object([
                    "time": dateTime, "temperature": number, "temperatureLower": number, "temperatureUpper": number,
                    "humidity": number, "humidityLower": number, "humidityUpper": number])],
            ]),
        ]
    }
}
