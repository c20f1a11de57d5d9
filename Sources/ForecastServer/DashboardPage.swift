import ForecastConfiguration
import ForecastStore
import ForecastVocabulary
import Foundation
import Hummingbird
import ModelFiles

/// `GET /`, drawn from a ``DashboardData``: the realized error of every route by lead time
/// (one chart per variable, every city pooled or the one chosen with `?city=`), then one
/// section per city with the last week of observations and every route's 72-hour forecast
/// with its 95% band, one chart per variable a route forecasts, as server-rendered SVG.
/// When the store is missing or holds nothing for a city, the page says so and still shows
/// the forecasts. Rendering only: everything it shows was gathered before.
enum DashboardPage {
    /// The page of `data`.
    static func render(_ data: DashboardData) -> String {
        let colors = Dictionary(uniqueKeysWithValues: data.routes.map { ($0.name, $0.color) })
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
            <p class="note">Per city: the last week of observations (black) and each route's \(DashboardData.horizon)-hour forecast with its 95% interval (shaded). Temperature in °C, the other variables in their stored units. Model generation \(data.generation).</p>
            <ul class="legend"><li><span style="background:#222"></span>observed</li>
            """
        for route in data.routes {
            let label = route.description.map { "/\(route.name) · \($0)" } ?? "/\(route.name)"
            html += "<li><span style=\"background:\(route.color)\"></span>\(SVGChart.escape(label))</li>"
        }
        html += "</ul>\n"
        html += accuracySection(data.accuracy, routes: data.routes, colors: colors)
        if !data.problems.isEmpty {
            html += "<div class=\"problems\"><p>Not available:</p><ul>"
            for problem in data.problems { html += "<li>\(SVGChart.escape(problem))</li>" }
            html += "</ul></div>\n"
        }
        if data.cities.isEmpty {
            html += "<p>No route has a model yet. Train one with <code>forecast train</code>, then reload.</p>\n"
        }
        for panel in data.cities {
            html += "<section class=\"city\" data-city=\"\(SVGChart.escape(panel.city))\"><h2>\(SVGChart.escape(panel.city))</h2>\n"
            html += "<p class=\"note\">Forecast from \(ISOTime.format(panel.forecastStart)). \(SVGChart.escape(panel.note))</p>\n"
            for variable in panel.variables {
                let chart = chartData(panel, variable: variable)
                html += "<h3>\(variable.title) (\(SVGChart.escape(chart.unit)))</h3>\n" + SVGChart.render(chart, city: panel.city, routeColors: colors) + "\n"
            }
            html += "</section>\n"
        }
        html += "<p class=\"note\">Served by forecast at \(ISOTime.format(Int64(Date().timeIntervalSince1970))). JSON: <code>/{route}/forecast/72?city=…</code>; API: <a href=\"/openapi.json\">/openapi.json</a>.</p>\n</body></html>\n"
        return html
    }

    /// One variable's chart of a city: the observed hours converted to the unit the
    /// forecasts were asked in (°C for temperature), and each route's forecast of it.
    static func chartData(_ panel: DashboardData.CityPanel, variable: Variable) -> ChartData {
        let unit = ForecastQuery(hours: DashboardData.horizon, city: panel.city, units: .celsius).unit(for: variable)
        var observed: [(time: Int64, value: Double?)] = []
        if let series = panel.observed {
            for index in 0..<series.hours where series.hasValue(at: index) {
                observed.append((series.time(at: index), series.value(variable, at: index).map(unit.fromStored)))
            }
        }
        let forecasts = panel.forecasts.compactMap { forecast -> ChartData.Forecast? in
            let values = forecast.hours.compactMap { $0.values[variable] }
            guard values.count == forecast.hours.count else { return nil }
            return .init(route: forecast.route, times: forecast.hours.map(\.time), mean: values.map(\.mean),
                         lower: values.map(\.lower), upper: values.map(\.upper))
        }
        return ChartData(variable: variable.name, unit: unit.symbol, observed: observed, forecasts: forecasts,
                         forecastStart: panel.forecastStart)
    }

    /// The section "Realized error by lead time": a form choosing the city (or all), then
    /// per variable one chart with each in-process route's MAE by lead, or a note when
    /// nothing is scored yet.
    static func accuracySection(_ accuracy: DashboardData.Accuracy, routes: [DashboardData.DrawnRoute], colors: [String: String]) -> String {
        let scope = accuracy.scope
        var html = "<section class=\"accuracy\"><h2>Realized error by lead time</h2>\n"
        html += "<form class=\"scope\" method=\"get\" action=\"/\"><label>Scored forecasts of <select name=\"city\">"
        html += "<option value=\"\"\(accuracy.chosen == nil ? " selected" : "")>all cities</option>"
        for name in accuracy.cities {
            html += "<option value=\"\(SVGChart.escape(name))\"\(name == accuracy.chosen ? " selected" : "")>\(SVGChart.escape(name))</option>"
        }
        html += "</select></label> <button type=\"submit\">Show</button></form>\n"
        if let city = accuracy.unknownCity {
            html += "<p class=\"note\">No route serves a city named \(SVGChart.escape(city)); showing all cities.</p>\n"
        }
        html += "<p class=\"note\">Mean absolute error of the forecasts each route issued, by hours after the last observation, "
        html += "over the last \(AccuracyTracker.windowDays) days of origins (\(SVGChart.escape(scope))), in the store's units. "
        html += "Each forecast is scored lead by lead as the observations of its hours arrive. JSON: <code>/{route}/accuracy?city=…</code>.</p>\n"
        guard accuracy.variables.contains(where: { $0.lines.contains { $0.scored > 0 } }) else {
            html += "<p class=\"note accuracy-empty\">Nothing scored yet (\(SVGChart.escape(scope))): a forecast is scored once observations after its origin arrive "
            html += "(<code>POST /observations</code>, or <code>forecast replay</code>).</p>\n</section>\n"
            return html
        }
        for (variable, lines) in accuracy.variables {
            let unit = variable.unit
            html += "<h3>\(SVGChart.escape(variable.title)): MAE (\(SVGChart.escape(unit))) by lead time</h3>\n"
            guard lines.contains(where: { $0.scored > 0 }) else {
                html += "<p class=\"note accuracy-empty\">Nothing scored yet for \(SVGChart.escape(variable.name)).</p>\n"
                continue
            }
            html += "<ul class=\"legend\">"
            for line in lines {
                html += "<li data-route=\"\(SVGChart.escape(line.route))\"><span style=\"background:\(colors[line.route] ?? SVGChart.color(0))\"></span>/\(SVGChart.escape(line.route)) · \(line.scored) leads scored</li>"
            }
            html += "</ul>\n" + AccuracyChart.render(variable: variable.name, unit: unit, scope: scope, lines: lines, routeColors: colors) + "\n"
        }
        html += "</section>\n"
        return html
    }
}
