import ForecastServer
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import PluginBinding
import TestSupport
import Testing

/// `POST /{route}/forecast` where the route's plugin runs in a worker process: the
/// training runs in a worker of its own, never in the server.
@Suite("posted series trained in a worker")
struct SeriesWorkerTests {
    static let enabled = FileManager.default.isExecutableFile(atPath: BuildProducts.forecastExecutable)

    /// The body's forecasts without the training time, which differs between runs, as sorted JSON.
    static func forecasts(_ response: TestResponse) throws -> String {
        var forecasts = try #require(try response.json()["forecasts"] as? [[String: Any]])
        for index in forecasts.indices {
            var model = forecasts[index]["model"] as? [String: Any] ?? [:]
            model["trainingSeconds"] = nil
            forecasts[index]["model"] = model
        }
        return String(decoding: try JSONSerialization.data(withJSONObject: forecasts, options: [.sortedKeys]), as: UTF8.self)
    }

    @Test("through a worker the answer is the in-process answer", .enabled(if: enabled, "the forecast executable is not built"))
    func sameAnswer() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let (values, series) = SeriesForecastTests.twoWeeks()
        let body = try SeriesForecastTests.body([["id": "x", "start": ForecastRouteTests.iso(series.startTime), "values": values]],
                                                ["horizon": 48, "levels": [0.5, 0.9]])
        let inProcess = SeriesForecastTests.server(fixture)
        let isolated = SeriesForecastTests.server(fixture, workers: WorkerServingTests.workers)
        let expected = try await Application(router: inProcess.buildRouter()).test(.router) { client in
            try Self.forecasts(try await client.execute(uri: "/v1/forecast", method: .post, headers: SeriesForecastTests.json, body: body))
        }
        try await Application(router: isolated.buildRouter()).test(.router) { client in
            let response = try await client.execute(uri: "/v1/forecast", method: .post, headers: SeriesForecastTests.json, body: body)
            #expect(response.status == .ok, "\(response.text)")
            let got = try Self.forecasts(response)
            #expect(got == expected)
        }
    }

    @Test("a training past the time limit kills only the training worker: 422 naming the limit, GET forecasts keep answering",
          .enabled(if: enabled, "the forecast executable is not built"))
    func timeLimitKillsTrainingWorker() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let arima = try BuildProducts.plugin("ARIMA")
        let series = ConformanceSuite.generatedSeries(count: 4000)
        let server = SeriesForecastTests.server(
            fixture, limits: SeriesLimits(trainingSeconds: 0.05), plugins: [fixture.plugin, arima],
            routes: [.init(name: "v1", target: .plugin("seasonal-naive")), .init(name: "v3", target: .plugin("arima"))],
            workers: WorkerServingTests.workers)
        try await Application(router: server.buildRouter()).test(.router) { client in
            let body = try SeriesForecastTests.body([["start": ForecastRouteTests.iso(series.startTime), "values": series.values]])
            let response = try await client.execute(uri: "/v3/forecast", method: .post, headers: SeriesForecastTests.json, body: body)
            #expect(response.status == .unprocessableContent, "\(response.text)")
            #expect(try response.errorCode() == "training_time_limit")
            #expect(response.text.contains("0.05 s"))
            #expect(try await client.execute(uri: "/v1/forecast/24", method: .get).status == .ok)
            let worker = try #require(server.library.current.routes["v1"]?.worker)
            #expect(worker.statistics.current.crashes == 0 && worker.statistics.current.timeouts == 0)
        }
    }
}
