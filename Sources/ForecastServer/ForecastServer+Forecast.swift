import ForecastVocabulary
import ForecastConfiguration
import Hummingbird
import ModelFiles

extension ForecastServer {
    /// `GET /{route}/forecast/{hours}`: the cached body, or a fresh forecast rendered and cached.
    func forecast(_ route: ForecastConfig.Route, request: Request, context: ServerRequestContext) async throws(APIError) -> Response {
        let models = library.current
        let parameters = request.uri.queryParameters  // parsed once
        let query = try ForecastQuery.parse(
            hours: context.parameters.get("hours"),
            city: parameters.get("city"),
            units: parameters.get("units"),
            level: parameters.get("level"),
            windSpeedUnits: parameters.get("wind_speed_units"),
            defaultCity: configuration.config.defaultCity)
        let slug = CityName.slug(query.city)
        let (routeModels, city) = try resolve(route: route, city: query.city, slug: slug, in: models)
        var key = ForecastCache.Key(generation: models.generation, route: route.name, city: slug,
                                    hours: query.hours, levels: query.levels, units: query.units,
                                    dataVersion: models.dataVersion)
        key.windSpeedUnits = query.windSpeedUnits
        // A route whose worker is down answers 503 for cached forecasts too, so a client
        // sees one state of the route, not 200 or 503 depending on what was asked before.
        if let problem = routeModels.workerProblem {
            let retry = routeModels.worker?.retryAfterSeconds ?? 1
            throw APIError(.serviceUnavailable, code: "plugin_unavailable", message: "/\(route.name): \(problem)",
                           headers: [.retryAfter: String(retry)])
        }
        let body: ByteBuffer
        if let cached = cache.body(for: key) {
            body = cached
        } else {
            let result = try await ForecastBody.forecast(models: city, query: query)
            body = ByteBuffer(string: ForecastBody.render(route: route, routeModels: routeModels, models: city,
                                                          generation: models.generation, query: query, result: result))
            cache.store(body, for: key)
        }
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: body))
    }

    /// The route's models and the city's pair, or the 503/404 that explains why not.
    func resolve(route: ForecastConfig.Route, city: String, slug: String,
                 in models: ModelSet) throws(APIError) -> (RouteModels, CityModels) {
        guard let routeModels = models.routes[route.name] else {
            throw APIError(.notFound, code: "unknown_route", message: "/\(route.name) is not served in-process by this host")
        }
        if let problem = routeModels.problem {
            throw APIError(.serviceUnavailable, code: "model_unavailable", message: "/\(route.name) has no model: \(problem)")
        }
        if let pair = routeModels.cities[slug] { return (routeModels, pair) }
        if let failure = routeModels.failures[slug] {
            throw APIError(.serviceUnavailable, code: "model_unavailable",
                           message: "/\(route.name) has no usable model for \(city): \(failure)")
        }
        let known = routeModels.sortedCities.map(\.city).joined(separator: ", ")
        throw APIError(.notFound, code: "unknown_city",
                       message: "/\(route.name) has no model for city '\(city)'; cities: \(known)")
    }

    /// `GET /{route}`: what the service is, and the models it holds.
    func routeInfo(_ route: ForecastConfig.Route) throws(APIError) -> Response {
        let models = library.current
        guard let routeModels = models.routes[route.name] else {
            throw APIError(.notFound, code: "unknown_route", message: "/\(route.name) is not served in-process by this host")
        }
        var json = JSONWriter()
        json.beginObject()
        ForecastBody.writeService(&json, route: route, routeModels: routeModels)
        json.string("status", routeModels.isReady && routeModels.workerProblem == nil ? "ready" : "unavailable")
        json.optionalString("problem", routeModels.problem ?? routeModels.workerProblem)
        WorkerReport.write(&json, routeModels: routeModels, statistics: nil)
        json.int("generation", Int64(models.generation))
        json.string("defaultCity", configuration.config.defaultCity)
        json.beginArray("models")
        for city in routeModels.sortedCities {
            json.beginObject()
            ForecastBody.writeCityModels(&json, city)
            json.endObject()
        }
        json.endArray()
        json.beginArray("failures")
        for slug in routeModels.failures.keys.sorted() {
            json.beginObject()
            json.string("city", slug)
            json.string("reason", routeModels.failures[slug]!)
            json.endObject()
        }
        json.endArray()
        json.beginObject("endpoints")
        json.string("forecast", "/\(route.name)/forecast/{hours}?city=&units=celsius|kelvin|fahrenheit&level=0.95")
        json.string("models", "/\(route.name)/models/{city}")
        json.endObject()
        json.endObject()
        return Self.json(json.text)
    }
}
