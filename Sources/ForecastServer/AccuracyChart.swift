import Foundation

/// Renders the realized error of the served forecasts by lead time as inline SVG: one
/// line per route (MAE at each lead, 1-72 h), in the route's colour, over value gridlines
/// and a lead axis ticked every 12 hours. Leads nothing was scored at are gaps in a line.
/// Same frame, palette and escaping as ``SVGChart``; no scripts, no external resources.
enum AccuracyChart {
    /// One route's MAE by lead (index 0 is lead 1 h); nil where nothing was scored.
    struct Line: Sendable {
        var route: String
        var mae: [Double?]
        /// Leads scored in all, for the title.
        var scored: Int
    }

    static func render(variable: String, unit: String, scope: String, lines: [Line], routeColors: [String: String]) -> String {
        let width = SVGChart.width, height = SVGChart.height
        let left = SVGChart.left, right = SVGChart.right, top = SVGChart.top, bottom = SVGChart.bottom
        let horizon = max(lines.map(\.mae.count).max() ?? AccuracyTracker.horizon, 1)
        let values = lines.flatMap { $0.mae.compactMap { $0 } }
        var high = values.max() ?? 1
        if high < 1e-9 { high = 1 }
        let ticks = SVGChart.niceTicks(low: 0, high: high, count: 5)
        high = max(high, ticks.last ?? high)

        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        func x(_ lead: Int) -> Double { left + Double(lead - 1) / Double(max(horizon - 1, 1)) * plotWidth }
        func y(_ value: Double) -> Double { top + (high - value) / high * plotHeight }
        let fmt = SVGChart.fmt

        var svg = "<svg class=\"chart accuracy-chart\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(fmt(width)) \(fmt(height))\""
        svg += " data-variable=\"\(SVGChart.escape(variable))\" data-scope=\"\(SVGChart.escape(scope))\">"
        svg += "<title>\(SVGChart.escape(scope)): mean absolute error of \(SVGChart.escape(variable)) (\(SVGChart.escape(unit))) by lead time, per route</title>"
        svg += SVGChart.valueGridlines(ticks, y: y)
        for lead in stride(from: 12, through: horizon, by: 12) {
            svg += "<line class=\"grid\" x1=\"\(fmt(x(lead)))\" x2=\"\(fmt(x(lead)))\" y1=\"\(fmt(top))\" y2=\"\(fmt(height - bottom))\"/>"
            svg += "<text class=\"axis\" x=\"\(fmt(x(lead)))\" y=\"\(fmt(height - bottom + 16))\" text-anchor=\"middle\">\(lead) h</text>"
        }
        svg += "<text class=\"axis unit\" x=\"6\" y=\"\(fmt(top + 4))\">\(SVGChart.escape(unit))</text>"
        svg += "<text class=\"axis\" x=\"\(fmt(width - right))\" y=\"\(fmt(height - 2))\" text-anchor=\"end\">lead time</text>"
        for line in lines {
            let color = routeColors[line.route] ?? SVGChart.color(0)
            // Runs of scored leads; a lone scored lead is drawn as a dot.
            var run: [(Int, Double)] = []
            func flush() {
                if run.count > 1 {
                    let points = run.map { "\(fmt(x($0.0))),\(fmt(y($0.1)))" }.joined(separator: " ")
                    svg += "<polyline class=\"accuracy-line\" data-route=\"\(SVGChart.escape(line.route))\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(points)\"/>"
                } else if let (lead, value) = run.first {
                    svg += "<circle class=\"accuracy-line\" data-route=\"\(SVGChart.escape(line.route))\" cx=\"\(fmt(x(lead)))\" cy=\"\(fmt(y(value)))\" r=\"2.5\" fill=\"\(color)\"/>"
                }
                run.removeAll()
            }
            for (index, value) in line.mae.enumerated() {
                if let value { run.append((index + 1, value)) } else { flush() }
            }
            flush()
        }
        svg += "</svg>"
        return svg
    }
}
