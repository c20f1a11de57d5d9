import AsyncHTTPClient
import Dispatch
import ForecastConfiguration
import ForecastStore
import ForecastVocabulary
import Foundation
import Hummingbird
import ModelFiles

/// `GET /`: the realized error of every route by lead time (``AccuracyTracker``'s MAE,
/// one chart per variable, every city pooled or the one chosen with `?city=`), then one
/// section per city with the last week of observations and every route's 72-hour
/// forecast with its 95% band, as server-rendered SVG.
///
/// In-process routes forecast from the loaded models; upstream routes are asked over
/// HTTP (their `GET /{route}` for cities and `forecast/72` for the numbers). When the
/// store is missing or holds nothing for a city, the page says so and still shows the
/// forecasts.
enum DashboardPage {
    /// Hours of forecast drawn.
    static let horizon = 72
    /// Hours of observations drawn.
    static let historyHours: Int64 = 7 * 24

    /// One route's 72-hour forecast for one city, in °C and percent.
    struct RouteForecast: Sendable {
        var route: String
        var hours: [ForecastHour]
    }

    /// The page; `accuracyCity` (a city name or slug) narrows the accuracy charts to one city.
    static func render(server: ForecastServer, accuracyCity: String? = nil) async -> String {
        let models = server.library.current
        let defaultCity = server.configuration.config.defaultCity
        var forecasts: [String: [RouteForecast]] = [:]  // by city name
        var problems: [String] = []
        let query = { (city: String) in ForecastQuery(hours: horizon, city: city, units: .celsius, level: 0.95) }

        for route in pageRoutes(server) {
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

        let cities = forecasts.keys.sorted { a, b in
            if a == defaultCity { return true }
            if b == defaultCity { return false }
            return a < b
        }
        var colors: [String: String] = [:]
        let drawn = pageRoutes(server)
        for (index, route) in drawn.enumerated() { colors[route.name] = SVGChart.color(index) }

        var html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Forecasts</title>
            <style>
            body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:24px auto;max-width:920px;color:#222;background:#fff}
            h1{font-size:1.5rem;margin:0 0 4px}h2{font-size:1.2rem;margin:28px 0 4px}h3{font-size:.95rem;margin:10px 0 2px;font-weight:600}
            p.note{color:#666;font-size:.85rem;margin:2px 0}
            ul.legend{list-style:none;padding:0;margin:4px 0;display:flex;gap:16px;font-size:.85rem;flex-wrap:wrap}
            ul.legend span{display:inline-block;width:14px;height:3px;vertical-align:middle;margin-right:4px}
            svg.chart{width:100%;height:auto;display:block}
            svg .grid{stroke:#e4e4e4;stroke-width:1}svg .axis{font-size:11px;fill:#666}
            .problems{color:#a33;font-size:.85rem}
            </style></head><body>
            <h1>Hourly forecasts</h1>
            <p class="note">Per city: the last week of observations (black) and each route's \(horizon)-hour forecast with its 95% interval (shaded). Temperature in °C, relative humidity in %. Model generation \(models.generation).</p>
            <ul class="legend"><li><span style="background:#222"></span>observed</li>
            """
        for route in drawn {
            let label = route.description.map { "/\(route.name) · \($0)" } ?? "/\(route.name)"
            html += "<li><span style=\"background:\(colors[route.name]!)\"></span>\(SVGChart.escape(label))</li>"
        }
        html += "</ul>\n"
        html += accuracySection(server: server, routes: drawn, colors: colors, city: accuracyCity)
        if !problems.isEmpty {
            html += "<div class=\"problems\"><p>Not available:</p><ul>"
            for problem in problems { html += "<li>\(SVGChart.escape(problem))</li>" }
            html += "</ul></div>\n"
        }
        if cities.isEmpty {
            html += "<p>No route has a model yet. Train one with <code>forecast train</code>, then reload.</p>\n"
        }
        let starts = cities.map { city in (forecasts[city] ?? []).compactMap { $0.hours.first?.time }.min() ?? 0 }
        // The store is synchronous: read it on a dispatch thread, not the cooperative pool.
        let history = await offPool {
            zip(cities, starts).map { city, start in observations(server: server, city: city, forecastStart: start) }
        }
        for (position, city) in cities.enumerated() {
            let routeForecasts = forecasts[city] ?? []
            let start = starts[position]
            let (observed, note) = history[position]
            html += "<section class=\"city\" data-city=\"\(SVGChart.escape(city))\"><h2>\(SVGChart.escape(city))</h2>\n"
            html += "<p class=\"note\">Forecast from \(ISOTime.format(start)). \(SVGChart.escape(note))</p>\n"
            let temperature = ChartData(
                variable: Variable.temperature.name, unit: MeasurementUnit.celsius.symbol,
                observed: observed.map { ($0.time, $0.temperature.map(TemperatureUnit.celsius.fromKelvin)) },
                forecasts: routeForecasts.map {
                    .init(route: $0.route, times: $0.hours.map(\.time), mean: $0.hours.map(\.temperature),
                          lower: $0.hours.map(\.temperatureLower), upper: $0.hours.map(\.temperatureUpper))
                },
                forecastStart: start)
            let humidity = ChartData(
                variable: Variable.humidity.name, unit: Variable.humidity.unit,
                observed: observed.map { ($0.time, $0.humidity) },
                forecasts: routeForecasts.map {
                    .init(route: $0.route, times: $0.hours.map(\.time), mean: $0.hours.map(\.humidity),
                          lower: $0.hours.map(\.humidityLower), upper: $0.hours.map(\.humidityUpper))
                },
                forecastStart: start)
            html += "<h3>Temperature (°C)</h3>\n" + SVGChart.render(temperature, city: city, routeColors: colors) + "\n"
            html += "<h3>Relative humidity (%)</h3>\n" + SVGChart.render(humidity, city: city, routeColors: colors) + "\n"
            html += "</section>\n"
        }
        html += "<p class=\"note\">Served by forecast at \(ISOTime.format(Int64(Date().timeIntervalSince1970))). JSON: <code>/{route}/forecast/72?city=…</code>; API: <a href=\"/openapi.json\">/openapi.json</a>.</p>\n</body></html>\n"
        return html
    }

    /// Runs `work` (blocking: store reads) on a dispatch thread and returns its result.
    static func offPool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
            DispatchQueue.global().async { continuation.resume(returning: work()) }
        }
    }

    /// The section "Realized error by lead time": a form choosing the city (or all), then
    /// per variable one chart with each in-process route's MAE by lead, or a note when
    /// nothing is scored yet. Upstream routes score their own forecasts (their `/accuracy`).
    static func accuracySection(server: ForecastServer, routes: [ForecastConfig.Route], colors: [String: String], city: String?) -> String {
        let models = server.library.current
        let plugin = routes.filter { if case .plugin = $0.target { return true } else { return false } }
        var known: [String] = []
        for route in plugin { for pair in models.routes[route.name]?.sortedCities ?? [] where !known.contains(pair.city) { known.append(pair.city) } }
        known.sort()
        let chosen = city.flatMap { name in known.first { ModelRepository.slug($0) == ModelRepository.slug(name) } }
        let errors = server.accuracy.leadErrors(city: chosen)
        let scope = chosen ?? "all cities"
        var html = "<section class=\"accuracy\"><h2>Realized error by lead time</h2>\n"
        html += "<form class=\"scope\" method=\"get\" action=\"/\"><label>Scored forecasts of <select name=\"city\">"
        html += "<option value=\"\"\(chosen == nil ? " selected" : "")>all cities</option>"
        for name in known {
            html += "<option value=\"\(SVGChart.escape(name))\"\(name == chosen ? " selected" : "")>\(SVGChart.escape(name))</option>"
        }
        html += "</select></label> <button type=\"submit\">Show</button></form>\n"
        if let city, chosen == nil, !city.isEmpty {
            html += "<p class=\"note\">No route serves a city named \(SVGChart.escape(city)); showing all cities.</p>\n"
        }
        html += "<p class=\"note\">Mean absolute error of the forecasts each route issued, by hours after the last observation, "
        html += "over the last \(AccuracyTracker.windowDays) days of origins (\(SVGChart.escape(scope))), in the store's units. "
        html += "Each forecast is scored lead by lead as the observations of its hours arrive. JSON: <code>/{route}/accuracy?city=…</code>.</p>\n"
        var variables: [String] = []
        let served = plugin.compactMap { route -> String? in if case .plugin(let name) = route.target { name } else { nil } }
        for name in served { for variable in (errors[name] ?? [:]).keys where !variables.contains(variable) { variables.append(variable) } }
        let scored = served.contains { name in (errors[name] ?? [:]).values.contains { $0.total > 0 } }
        if !scored {
            html += "<p class=\"note accuracy-empty\">Nothing scored yet (\(SVGChart.escape(scope))): a forecast is scored once observations after its origin arrive "
            html += "(<code>POST /observations</code>, or <code>forecast replay</code>).</p>\n</section>\n"
            return html
        }
        for variable in variables.sorted() {
            let unit = Variable(rawValue: variable)?.unit ?? ""
            let lines = plugin.compactMap { route -> AccuracyChart.Line? in
                guard case .plugin(let name) = route.target, let lead = errors[name]?[variable] else { return nil }
                return AccuracyChart.Line(route: route.name, mae: lead.mae, scored: lead.total)
            }
            html += "<h3>\(SVGChart.escape(variable.prefix(1).uppercased() + variable.dropFirst())): MAE (\(SVGChart.escape(unit))) by lead time</h3>\n"
            guard lines.contains(where: { $0.scored > 0 }) else {
                html += "<p class=\"note accuracy-empty\">Nothing scored yet for \(SVGChart.escape(variable)).</p>\n"
                continue
            }
            html += "<ul class=\"legend\">"
            for line in lines {
                html += "<li data-route=\"\(SVGChart.escape(line.route))\"><span style=\"background:\(colors[line.route] ?? SVGChart.color(0))\"></span>/\(SVGChart.escape(line.route)) · \(line.scored) leads scored</li>"
            }
            html += "</ul>\n" + AccuracyChart.render(variable: variable, unit: unit, scope: scope, lines: lines, routeColors: colors) + "\n"
        }
        html += "</section>\n"
        return html
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

    /// The week of observations before `forecastStart`, or none with a sentence why.
    static func observations(server: ForecastServer, city: String, forecastStart: Int64) -> ([Observation], String) {
        guard let store = server.configuration.store else {
            return ([], "Observations unavailable: \(server.configuration.storeProblem ?? "no store is configured").")
        }
        let last = forecastStart - 3600
        do {
            let rows = try store.observations(city: city, from: last - (historyHours - 1) * 3600, to: last)
            if rows.isEmpty {
                return ([], "Observations unavailable: the store holds none for \(city) in the week before the forecast.")
            }
            return (rows, "Observed: \(rows.count) hours from the store.")
        } catch {
            return ([], "Observations unavailable: \(error)")
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
