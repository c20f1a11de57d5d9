import Foundation
import ForecastVocabulary

/// Renders a ``ChartData`` as inline SVG: observed line, forecast lines, interval bands,
/// axes with day ticks and value gridlines. No scripts, no external resources.
enum SVGChart {
    static let width = 880.0
    static let height = 260.0
    static let left = 52.0, right = 16.0, top = 14.0, bottom = 30.0
    /// Line colours by route order (colour-blind friendly).
    static let palette = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9"]

    static func color(_ index: Int) -> String { palette[index % palette.count] }

    static func render(_ data: ChartData, city: String, routeColors: [String: String]) -> String {
        let observedTimes = data.observed.map(\.time)
        let forecastTimes = data.forecasts.flatMap(\.times)
        let start = min(observedTimes.min() ?? data.forecastStart, data.forecastStart - 3600)
        let end = max(forecastTimes.max() ?? data.forecastStart, data.forecastStart)
        var values = data.observed.compactMap(\.value)
        for forecast in data.forecasts { values += forecast.lower + forecast.upper }
        var low = values.min() ?? 0
        var high = values.max() ?? 1
        if high - low < 1e-9 { low -= 1; high += 1 }
        let ticks = niceTicks(low: low, high: high, count: 5)
        low = min(low, ticks.first ?? low)
        high = max(high, ticks.last ?? high)

        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        let span = Double(max(end - start, 1))
        func x(_ time: Int64) -> Double { left + Double(time - start) / span * plotWidth }
        func y(_ value: Double) -> Double { top + (high - value) / (high - low) * plotHeight }
        func point(_ time: Int64, _ value: Double) -> String { "\(fmt(x(time))),\(fmt(y(value)))" }

        var svg = "<svg class=\"chart\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(fmt(width)) \(fmt(height))\""
        svg += " data-city=\"\(escape(city))\" data-variable=\"\(data.variable)\">"
        svg += "<title>\(escape(city)): \(data.variable) (\(escape(data.unit))), last week observed and forecasts</title>"
        svg += valueGridlines(ticks, y: y)
        // A tick at every midnight UTC.
        var day = (start / 86_400 + 1) * 86_400
        while day <= end {
            svg += "<line class=\"grid\" x1=\"\(fmt(x(day)))\" x2=\"\(fmt(x(day)))\" y1=\"\(fmt(top))\" y2=\"\(fmt(height - bottom))\"/>"
            svg += "<text class=\"axis\" x=\"\(fmt(x(day)))\" y=\"\(fmt(height - bottom + 16))\" text-anchor=\"middle\">\(ISOTime.date(day).dropFirst(5))</text>"
            day += 86_400
        }
        svg += "<text class=\"axis unit\" x=\"6\" y=\"\(fmt(top + 4))\">\(escape(data.unit))</text>"
        // Bands first, so lines draw over them.
        for forecast in data.forecasts where !forecast.times.isEmpty {
            let color = routeColors[forecast.route] ?? color(0)
            let upper = zip(forecast.times, forecast.upper).map { point($0, $1) }
            let lower = zip(forecast.times, forecast.lower).reversed().map { point($0, $1) }
            svg += "<polygon class=\"band\" data-route=\"\(escape(forecast.route))\" fill=\"\(color)\" fill-opacity=\"0.18\" stroke=\"none\" points=\"\((upper + lower).joined(separator: " "))\"/>"
        }
        // Observations, broken at missing hours.
        var run: [String] = []
        func flush() {
            if run.count > 1 {
                svg += "<polyline class=\"observed\" fill=\"none\" stroke=\"#222\" stroke-width=\"1.4\" points=\"\(run.joined(separator: " "))\"/>"
            }
            run.removeAll()
        }
        for observation in data.observed {
            if let value = observation.value { run.append(point(observation.time, value)) } else { flush() }
        }
        flush()
        for forecast in data.forecasts where !forecast.times.isEmpty {
            let color = routeColors[forecast.route] ?? color(0)
            let points = zip(forecast.times, forecast.mean).map { point($0, $1) }
            svg += "<polyline class=\"forecast\" data-route=\"\(escape(forecast.route))\" data-count=\"\(points.count)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(points.joined(separator: " "))\"/>"
        }
        let marker = x(data.forecastStart - 3600)
        svg += "<line class=\"now\" x1=\"\(fmt(marker))\" x2=\"\(fmt(marker))\" y1=\"\(fmt(top))\" y2=\"\(fmt(height - bottom))\" stroke=\"#888\" stroke-dasharray=\"4 3\"/>"
        svg += "<text class=\"axis\" x=\"\(fmt(marker - 4))\" y=\"\(fmt(top + 10))\" text-anchor=\"end\">last observation</text>"
        svg += "</svg>"
        return svg
    }

    /// A horizontal gridline across the plot at each tick, labelled with its value on the
    /// left; `y` maps a value to its height in the frame.
    static func valueGridlines(_ ticks: [Double], y: (Double) -> Double) -> String {
        var svg = ""
        for tick in ticks {
            svg += "<line class=\"grid\" x1=\"\(fmt(left))\" x2=\"\(fmt(width - right))\" y1=\"\(fmt(y(tick)))\" y2=\"\(fmt(y(tick)))\"/>"
            svg += "<text class=\"axis\" x=\"\(fmt(left - 6))\" y=\"\(fmt(y(tick) + 4))\" text-anchor=\"end\">\(JSONText.number(tick))</text>"
        }
        return svg
    }

    /// About `count` round tick values covering `low...high` (steps of 1, 2 or 5 times a power of ten).
    static func niceTicks(low: Double, high: Double, count: Int) -> [Double] {
        let raw = (high - low) / Double(max(count, 1))
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        var ticks: [Double] = []
        var value = floor(low / step) * step
        while value <= high + step * 0.5 && ticks.count < 50 {
            ticks.append(JSONText.rounded(value, places: 4))
            value += step
        }
        return ticks
    }

    static func fmt(_ value: Double) -> String {
        JSONText.number(JSONText.rounded(value, places: 1))
    }

    /// Escapes text for HTML and SVG content and attributes.
    static func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }
}
