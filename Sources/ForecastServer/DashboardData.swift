import AsyncHTTPClient
import Dispatch
import ForecastConfiguration
import ForecastStore
import ForecastVocabulary
import Foundation
import ModelFiles

/// What `GET /` shows, gathered apart from drawing it (``DashboardPage`` renders it): every
/// drawn route's 72-hour forecast per city (in-process routes from the loaded models,
/// upstream routes over HTTP), the week of observations before each city's forecast (the
/// store read on a dispatch thread, not the cooperative pool), and the realized error by
/// lead time, with a sentence for whatever is unavailable.
struct DashboardData: Sendable {
    /// Hours of forecast drawn.
    static let horizon = 72
    /// Hours of observations drawn.
    static let historyHours: Int64 = 7 * 24

    /// One route's 72-hour forecast for one city, in °C and the other variables' stored units.
    struct RouteForecast: Sendable {
        var route: String
        var hours: [ForecastHour]
    }

    /// A route in the legend, with the colour of its lines.
    struct DrawnRoute: Sendable {
        var name: String
        var description: String?
        var color: String
        /// Whether it forecasts in this process (and so is scored by this server's tracker).
        var inProcess: Bool
        /// The plugin an in-process route serves.
        var plugin: String?
    }

    /// One city's section.
    struct CityPanel: Sendable {
        var city: String
        /// The hour the forecasts start (the earliest first hour of any route).
        var forecastStart: Int64
        /// The observed week (nil when there is none), and a sentence saying where it came from or why not.
        var observed: CitySeries?
        var note: String
        var forecasts: [RouteForecast]
        /// The variables any route forecasts for the city, in the table's order: one chart each.
        var variables: [Variable]
    }

    /// The realized-error section.
    struct Accuracy: Sendable {
        /// The cities an in-process route serves (the form's choices), sorted.
        var cities: [String]
        /// The city chosen with `?city=`, when one of them.
        var chosen: String?
        /// What `?city=` asked for, when it named no served city.
        var unknownCity: String?
        /// Per variable scored by any in-process route (in the table's order), each route's MAE by lead.
        var variables: [(variable: Variable, lines: [AccuracyChart.Line])]

        /// The charts' scope: the chosen city or all of them.
        var scope: String { chosen ?? "all cities" }
    }

    var generation: Int
    var routes: [DrawnRoute]
    var problems: [String]
    var cities: [CityPanel]
    var accuracy: Accuracy

    /// Gathers the page's data; `accuracyCity` (a city name or slug) narrows the accuracy charts.
    static func gather(server: ForecastServer, accuracyCity: String?) async -> DashboardData {
        let models = server.library.current
        let defaultCity = server.configuration.config.defaultCity
        var forecasts: [String: [RouteForecast]] = [:]  // by city name
        var problems: [String] = []
        let query = { (city: String) in ForecastQuery(hours: horizon, city: city, units: .celsius, level: 0.95) }
        let drawn = pageRoutes(server)

        for route in drawn {
            switch route.target {
            case .plugin:
                guard let routeModels = models.routes[route.name] else { continue }
                if let problem = routeModels.problem { problems.append("/\(route.name): \(problem)") }
                for (slug, reason) in routeModels.failures.sorted(by: { $0.key < $1.key }) {
                    problems.append("/\(route.name) \(slug): \(reason)")
                }
                for city in routeModels.sortedCities {
                    do {
                        let hours = try await ForecastBody.hours(models: city, query: query(city.city))
                        forecasts[city.city, default: []].append(RouteForecast(route: route.name, hours: hours))
                    } catch {
                        problems.append("/\(route.name) \(city.city): \(error.message)")
                    }
                }
            case .upstream(let base):
                do {
                    for (city, hours) in try await upstreamForecasts(server: server, base: base, timeout: route.timeoutSeconds) {
                        forecasts[city, default: []].append(RouteForecast(route: route.name, hours: hours))
                    }
                } catch {
                    problems.append("/\(route.name) (upstream \(base)): \(error)")
                }
            }
        }

        let names = forecasts.keys.sorted { a, b in
            if a == defaultCity { return true }
            if b == defaultCity { return false }
            return a < b
        }
        let starts = names.map { city in (forecasts[city] ?? []).compactMap { $0.hours.first?.time }.min() ?? 0 }
        let history = await offPool {
            zip(names, starts).map { city, start in observations(server: server, city: city, forecastStart: start) }
        }
        let cities = names.indices.map { index in
            let routeForecasts = forecasts[names[index]] ?? []
            let forecast = Set(routeForecasts.flatMap { $0.hours.flatMap(\.values.keys) })
            return CityPanel(city: names[index], forecastStart: starts[index], observed: history[index].series, note: history[index].note,
                             forecasts: routeForecasts, variables: Variable.allCases.filter(forecast.contains))
        }
        let routes = drawn.enumerated().map { index, route in
            var plugin: String?
            if case .plugin(let name) = route.target { plugin = name }
            return DrawnRoute(name: route.name, description: route.description, color: SVGChart.color(index),
                              inProcess: plugin != nil, plugin: plugin)
        }
        return DashboardData(generation: models.generation, routes: routes, problems: problems, cities: cities,
                             accuracy: accuracy(server: server, routes: routes, city: accuracyCity))
    }

    /// The routes drawn: each plugin once (the configured route that names it, before the
    /// automatic `/<plugin name>` route), and every upstream route.
    static func pageRoutes(_ server: ForecastServer) -> [ForecastConfig.Route] {
        let configured = Set(server.configuration.config.routes.map(\.name))
        let ordered = server.routes.filter { configured.contains($0.name) } + server.routes.filter { !configured.contains($0.name) }
        var plugins: Set<String> = []
        return ordered.filter { route in
            guard case .plugin(let name) = route.target else { return true }
            return plugins.insert(name).inserted
        }
    }

    /// The realized error of the in-process routes, per variable, over every city or `city`.
    /// Upstream routes score their own forecasts (their `/accuracy`).
    static func accuracy(server: ForecastServer, routes: [DrawnRoute], city: String?) -> Accuracy {
        let models = server.library.current
        let plugin = routes.filter(\.inProcess)
        var known: [String] = []
        for route in plugin {
            for pair in models.routes[route.name]?.sortedCities ?? [] where !known.contains(pair.city) { known.append(pair.city) }
        }
        known.sort()
        let chosen = city.flatMap { name in known.first { CityName.slug($0) == CityName.slug(name) } }
        let errors = server.accuracy.leadErrors(city: chosen)
        let scored = Set(plugin.compactMap(\.plugin).flatMap { (errors[$0] ?? [:]).keys })
        let variables = Variable.allCases.filter { scored.contains($0.name) }.map { variable in
            (variable, plugin.compactMap { route -> AccuracyChart.Line? in
                guard let name = route.plugin, let lead = errors[name]?[variable.name] else { return nil }
                return AccuracyChart.Line(route: route.name, mae: lead.mae, scored: lead.total)
            })
        }
        let unknown = city.flatMap { $0.isEmpty || chosen != nil ? nil : $0 }
        return Accuracy(cities: known, chosen: chosen, unknownCity: unknown, variables: variables)
    }

    /// The week of observations before `forecastStart`, or none with a sentence why.
    static func observations(server: ForecastServer, city: String, forecastStart: Int64) -> (series: CitySeries?, note: String) {
        guard let store = server.configuration.store else {
            return (nil, "Observations unavailable: \(server.configuration.storeProblem ?? "no store is configured").")
        }
        let last = forecastStart - 3600
        do {
            guard let series = try store.series(city: city, from: last - (historyHours - 1) * 3600, to: last), series.rowCount > 0 else {
                return (nil, "Observations unavailable: the store holds none for \(city) in the week before the forecast.")
            }
            return (series, "Observed: \(series.rowCount) hours from the store.")
        } catch {
            return (nil, "Observations unavailable: \(error)")
        }
    }

    /// Runs `work` (blocking: store reads) on a dispatch thread and returns its result.
    static func offPool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
            DispatchQueue.global().async { continuation.resume(returning: work()) }
        }
    }

    /// For an upstream route: its cities (from `GET base`) and each city's 72-hour forecast.
    static func upstreamForecasts(server: ForecastServer, base: String, timeout: Double) async throws -> [(String, [ForecastHour])] {
        let info = try await fetchJSON(server: server, url: base, timeout: timeout)
        let cities = (info["models"] as? [[String: Any]] ?? []).compactMap { $0["city"] as? String }
        var result: [(String, [ForecastHour])] = []
        for city in cities {
            var components = URLComponents()
            components.queryItems = [URLQueryItem(name: "city", value: city), URLQueryItem(name: "units", value: "celsius")]
            let url = Gateway.upstreamURL(base: base, remainder: "/forecast/\(horizon)", query: components.percentEncodedQuery)
            let body = try await fetchJSON(server: server, url: url, timeout: timeout)
            let hours = (body["forecast"] as? [[String: Any]] ?? []).compactMap(ForecastHour.init(json:))
            if !hours.isEmpty { result.append((city, hours)) }
        }
        return result
    }

    static func fetchJSON(server: ForecastServer, url: String, timeout: Double) async throws -> [String: Any] {
        let response = try await server.gateway.client.execute(HTTPClientRequest(url: url), timeout: .milliseconds(Int64(timeout * 1000)))
        let body = try await response.body.collect(upTo: Gateway.maxBodyBytes)
        guard response.status.code == 200,
              let object = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any] else {
            throw APIError(.badGateway, code: "upstream_failed", message: "\(url) answered \(response.status.code)")
        }
        return object
    }
}
