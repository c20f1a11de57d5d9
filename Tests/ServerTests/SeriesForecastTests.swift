import ForecastConfiguration
import ForecastServer
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import PluginBinding
import PluginProcesses
import TestSupport
import Testing

/// `POST /{route}/forecast`: the caller's series, trained on and forecast, nothing stored.
@Suite("forecasting a series the caller posts")
struct SeriesForecastTests {
    /// A server over `fixture` with `limits`, plugins in this process unless `workers`.
    static func server(_ fixture: ServerFixture, limits: SeriesLimits = SeriesLimits(), plugins: [LoadedPlugin]? = nil,
                       routes: [ForecastConfig.Route]? = nil, workers: PluginWorker.Settings? = nil) -> ForecastServer {
        var configuration = ServerConfiguration(
            host: "127.0.0.1", port: 0, config: ServerFixture.config(routes: routes), plugins: plugins ?? [fixture.plugin],
            repository: fixture.repository, store: nil, storeProblem: "no store in this test", workerSettings: workers)
        configuration.seriesLimits = limits
        return ForecastServer(configuration: configuration)
    }

    /// A JSON body with `series` (each: start, values) and the rest of `extra`.
    static func body(_ series: [[String: Any]], _ extra: [String: Any] = [:]) throws -> ByteBuffer {
        var object = extra
        object["series"] = series
        return ByteBuffer(data: try JSONSerialization.data(withJSONObject: object))
    }

    static let json: HTTPFields = [.contentType: "application/json"]

    /// Two weeks of hours with two missing, as JSON values (NSNull for missing).
    static func twoWeeks(offset: Double = 0) -> (values: [Any], series: TimeSeries) {
        var series = ServerFixture.series(lastTime: ServerFixture.lastTime, offset: offset).temperature
        series.values[100] = .nan
        series.values[200] = .nan
        return (series.values.map { $0.isNaN ? NSNull() : $0 as Any }, series)
    }

    @Test("two series at two levels: each forecast starts after its last hour and is what the plugin forecasts when trained on the stretch after the last gap")
    func twoSeries() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let (values, series) = Self.twoWeeks()
        let (otherValues, _) = Self.twoWeeks(offset: 5)
        let start = ForecastRouteTests.iso(series.startTime)
        let body = try Self.body([["id": "a", "start": start, "values": values],
                                  ["id": "b", "start": start, "step": 3600, "values": otherValues, "variable": "temperature"]],
                                 ["horizon": 30, "levels": [0.8, 0.95]])
        let app = Application(router: Self.server(fixture).buildRouter())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/v1/forecast", method: .post, headers: Self.json, body: body)
            #expect(response.status == .ok, "\(response.text)")
            let answer = try response.json()
            #expect((answer["query"] as? [String: Any])?["levels"] as? [Double] == [0.8, 0.95])
            let forecasts = try #require(answer["forecasts"] as? [[String: Any]])
            #expect(forecasts.map { $0["id"] as? String } == ["a", "b"])
            let first = forecasts[0]
            let model = try #require(first["model"] as? [String: Any])
            #expect(model["description"] as? String == "seasonal naive, period 24")
            // seasonal-naive takes no missing values: it trains on the hours after the last gap.
            #expect(model["trainingStart"] as? String == ForecastRouteTests.iso(series.startTime + 201 * 3600))
            #expect(model["trainingEnd"] as? String == ForecastRouteTests.iso(series.lastTime))
            #expect(model["observations"] as? Int == series.count - 201)
            let hours = try #require(first["forecast"] as? [[String: Any]])
            #expect(hours.count == 30)
            #expect(hours.first?["time"] as? String == ForecastRouteTests.iso(series.lastTime + 3600))
            let trained = try fixture.plugin.train(series.slice(201..<series.count), options: "{\"period\": 24}")
            let direct = try fixture.plugin.loadModel(trained.blob)
            let at80 = try direct.forecast(horizon: 30, level: 0.8)
            let at95 = try direct.forecast(horizon: 30, level: 0.95)
            // Exact numbers are written; Foundation's JSON reader may be off by an ulp or two.
            func close(_ a: Double?, _ b: Double) -> Bool { a.map { abs($0 - b) <= 1e-9 * abs(b) } ?? false }
            for (step, hour) in hours.enumerated() {
                #expect(close(hour["mean"] as? Double, at80.mean[step]))
                #expect(close(hour["lower"] as? Double, at80.lower[step]))
            }
            let intervals = try #require(first["intervals"] as? [[String: Any]])
            #expect(intervals.map { $0["level"] as? Double } == [0.8, 0.95])
            let upper95 = try #require(intervals[1]["upper"] as? [Double])
            #expect(upper95.count == 30 && zip(upper95, at95.upper).allSatisfy { close($0, $1) })
            #expect(forecasts[1]["variable"] as? String == "temperature")
        }
    }

    @Test("limits and bad bodies answer 400, 413, 415 or 422 naming the limit or the problem",
          arguments: [
              ("too long", 413, "series_too_long", "at most 400"),
              ("too many", 413, "too_many_series", "at most 3"),
              ("huge body", 413, "body_too_large", "20000 bytes"),
              ("hourly only", 400, "bad_step", "3600"),
              ("no series key", 400, "bad_body", "series"),
              ("bad start", 400, "bad_body", "start"),
              ("bad horizon", 400, "bad_horizon", "168"),
              ("bad level", 400, "bad_level", "between 0 and 1"),
              ("all null", 422, "no_observations", "null"),
              ("too short", 422, "series_too_short", "at least 48"),
              ("huge value", 400, "bad_body", "within"),
              ("not json", 415, "unsupported_media_type", "application/json"),
          ])
    func refusals(name: String, status: Int, code: String, mentions: String) async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let limits = SeriesLimits(maximumBodyBytes: 20_000, maximumSeries: 3, maximumValues: 400)
        let start = "2024-03-01T00:00:00Z"
        let day = (0..<48).map { 280 + sin(Double($0)) }
        var headers = Self.json
        let body: ByteBuffer
        switch name {
        case "too long": body = try Self.body([["start": start, "values": Array(repeating: 280.0, count: 401)]])
        case "too many": body = try Self.body(Array(repeating: ["start": start, "values": day], count: 4))
        case "huge body": body = ByteBuffer(string: "{\"series\":[{\"start\":\"\(start)\",\"values\":[" + Array(repeating: "280.123456789", count: 2000).joined(separator: ",") + "]}]}")
        case "hourly only": body = try Self.body([["start": start, "step": 600, "values": day]])
        case "no series key": body = ByteBuffer(string: "{\"horizon\": 24}")
        case "bad start": body = try Self.body([["start": "yesterday", "values": day]])
        case "bad horizon": body = try Self.body([["start": start, "values": day]], ["horizon": 169])
        case "bad level": body = try Self.body([["start": start, "values": day]], ["levels": [0.8, 1.0]])
        case "all null": body = try Self.body([["start": start, "values": Array(repeating: NSNull(), count: 48)]])
        case "too short": body = try Self.body([["start": start, "values": [280.0, 281.0, 282.0]]])
        case "huge value": body = try Self.body([["start": start, "values": day + [1e12]]])
        default:
            headers = [.contentType: "text/csv"]
            body = ByteBuffer(string: "280,281")
        }
        let app = Application(router: Self.server(fixture, limits: limits).buildRouter())
        let sent = headers
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/v1/forecast", method: .post, headers: sent, body: body)
            #expect(response.status.code == status, "\(response.text)")
            #expect(try response.errorCode() == code)
            #expect(response.text.contains(mentions), "\(response.text)")
        }
    }

    @Test("a training past the time limit answers 422 training_time_limit, and the route keeps answering")
    func timeLimit() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let arima = try BuildProducts.plugin("ARIMA")
        // ARIMA's order search on 2000 hours takes far longer than a millisecond anywhere.
        let series = ConformanceSuite.generatedSeries(count: 2000)
        let limits = SeriesLimits(trainingSeconds: 0.001, concurrentTrainings: 1)
        let server = Self.server(fixture, limits: limits, plugins: [fixture.plugin, arima],
                                 routes: [.init(name: "v1", target: .plugin("arima"))])
        let app = Application(router: server.buildRouter())
        try await app.test(.router) { client in
            let body = try Self.body([["start": ForecastRouteTests.iso(series.startTime), "values": series.values]])
            let response = try await client.execute(uri: "/v1/forecast", method: .post, headers: Self.json, body: body)
            #expect(response.status == .unprocessableContent, "\(response.text)")
            #expect(try response.errorCode() == "training_time_limit")
            #expect(response.text.contains("0.001 s"))
        }
    }

    @Test("GET on the POST path answers 405 naming POST")
    func getIsNotAllowed() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let app = Application(router: Self.server(fixture).buildRouter())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/v1/forecast", method: .get)
            #expect(response.status == .methodNotAllowed)
            #expect(response.headers[.allow]?.contains("POST") == true)
        }
    }
}
