import ForecastConfiguration
import Foundation
import ForecastVocabulary
import Hummingbird
import NIOCore
import PluginBinding
import PluginProcesses

extension ForecastServer {
    /// `POST /{route}/forecast`: trains the route's plugin on each series the caller sent and
    /// forecasts it (``SeriesRequest``, ``SeriesTrainer``); nothing is stored or cached.
    func seriesForecast(_ route: ForecastConfig.Route, request: Request) async throws(APIError) -> Response {
        let limits = seriesTrainer.limits
        if let type = request.headers[.contentType], !type.lowercased().hasPrefix("application/json") {
            throw APIError(.unsupportedMediaType, code: "unsupported_media_type",
                           message: "the body must be JSON (Content-Type: application/json); got '\(type)'")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limits.maximumBodyBytes)
        } catch {
            throw APIError(.contentTooLarge, code: "body_too_large",
                           message: "the body is larger than the limit of \(limits.maximumBodyBytes) bytes")
        }
        let parsed = try SeriesRequest.parse(Data(buffer.readableBytesView), limits: limits)
        guard case .plugin(let name) = route.target, let plugin = configuration.plugins.first(where: { $0.name == name }) else {
            throw APIError(.serviceUnavailable, code: "model_unavailable", message: "/\(route.name) has no plugin loaded to train with")
        }
        guard await seriesTrainer.queue.acquire() else {
            throw APIError(.serviceUnavailable, code: "busy",
                           message: "\(limits.concurrentTrainings) trainings are running and \(limits.queuedRequests) requests are waiting; retry in \(limits.retryAfterSeconds) s",
                           headers: [.retryAfter: String(limits.retryAfterSeconds)])
        }
        let slot = TrainingQueue.Slot(seriesTrainer.queue)
        defer { slot.done() }
        let isolated = library.isolation(of: name) == .worker
        var results: [(SeriesRequest.Series, TimeSeries, SeriesForecast.Output)] = []
        for (index, item) in parsed.series.enumerated() {
            let label = "series \(index) ('\(item.id)')"
            let series = Self.trainingSeries(item.series, acceptsMissingValues: plugin.acceptsMissingValues)
            let options = item.variable.map { configuration.config.options(for: name, variable: $0) }
                ?? configuration.config.options(for: name)
            let output = try await seriesTrainer.run(plugin: plugin, isolated: isolated, series: series, options: options,
                                                     horizon: parsed.horizon, levels: parsed.levels, label: label, slot: slot)
            results.append((item, series, output))
        }
        return Self.json(renderSeries(route: route, plugin: plugin, request: parsed, results: results))
    }

    /// What the plugin trains on: the series without its unobserved ends, and for a plugin
    /// that does not take missing values, only the stretch after the last gap.
    static func trainingSeries(_ series: TimeSeries, acceptsMissingValues: Bool) -> TimeSeries {
        guard let trimmed = series.trimmingMissingEnds() else { return series }
        guard !acceptsMissingValues, let gap = trimmed.values.lastIndex(where: \.isNaN) else { return trimmed }
        return trimmed.slice((gap + 1)..<trimmed.count)
    }

    /// The JSON body of a `POST /{route}/forecast`.
    func renderSeries(route: ForecastConfig.Route, plugin: LoadedPlugin, request: SeriesRequest,
                      results: [(SeriesRequest.Series, TimeSeries, SeriesForecast.Output)]) -> String {
        var json = JSONWriter(capacity: 1024 + results.count * request.horizon * 120 * request.levels.count)
        json.beginObject()
        ForecastBody.writeService(&json, route: route, routeModels: RouteModels(
            route: route.name, pluginName: plugin.name, plugin: plugin, cities: [:], failures: [:], problem: nil))
        json.beginObject("query")
        json.int("horizon", Int64(request.horizon))
        json.beginArray("levels")
        for level in request.levels { json.number(nil, level) }
        json.endArray()
        json.endObject()
        json.beginArray("forecasts")
        for (item, series, output) in results {
            json.beginObject()
            json.string("id", item.id)
            json.optionalString("variable", item.variable?.name)
            json.beginObject("model")
            json.string("plugin", plugin.name)
            json.string("pluginVersion", plugin.version)
            json.string("description", SummaryDescription.line(summaryJSON: output.summaryJSON, plugin: plugin.name, version: plugin.version))
            json.number("trainingSeconds", JSONText.rounded(output.trainingSeconds, places: 4))
            json.string("trainingStart", ISOTime.format(series.startTime))
            json.string("trainingEnd", ISOTime.format(series.lastTime))
            json.int("observations", Int64(series.count - series.missingCount))
            json.int("missing", Int64(series.missingCount))
            json.endObject()
            let first = output.forecasts[0]
            json.beginArray("forecast")
            for step in 0..<request.horizon {
                json.beginObject()
                json.string("time", ISOTime.format(series.lastTime + Int64(step + 1) * series.stepSeconds))
                json.number("mean", first.mean[step])
                json.number("lower", first.lower[step])
                json.number("upper", first.upper[step])
                json.endObject()
            }
            json.endArray()
            json.beginArray("intervals")
            for (level, output) in zip(request.levels, output.forecasts) {
                json.beginObject()
                json.number("level", level)
                json.beginArray("lower")
                for value in output.lower { json.number(nil, value) }
                json.endArray()
                json.beginArray("upper")
                for value in output.upper { json.number(nil, value) }
                json.endArray()
                json.endObject()
            }
            json.endArray()
            json.endObject()
        }
        json.endArray()
        json.endObject()
        return json.text
    }
}
