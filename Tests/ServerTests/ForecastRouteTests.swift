import ForecastServer
import ForecastStore
import Foundation
import Hummingbird
import HummingbirdTesting
import ModelFiles
import PluginBinding
import Testing

@Suite("forecast routes (router)")
struct ForecastRouteTests {
    @Test("a 72-hour forecast starts the hour after the last observation and matches the plugin's own numbers")
    func forecastMatchesPlugin() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let app = Application(router: try fixture.server().buildRouter())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/v1/forecast/72?city=Portland", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            let body = try response.json()
            let hours = try #require(body["forecast"] as? [[String: Any]])
            #expect(hours.count == 72)
            let first = try #require(hours.first?["time"] as? String)
            #expect(first == Self.iso(ServerFixture.lastTime + 3600))
            #expect(hours.last?["time"] as? String == Self.iso(ServerFixture.lastTime + 72 * 3600))
            let service = try #require(body["service"] as? [String: Any])
            #expect(service["plugin"] as? String == "seasonal-naive")
            #expect(service["pluginVersion"] as? String == fixture.plugin.version)
            let model = try #require(body["model"] as? [String: Any])
            #expect(model["city"] as? String == "Portland")
            #expect(model["lastObserved"] as? String == Self.iso(ServerFixture.lastTime))
            #expect((model["temperature"] as? [String: Any])?["description"] is String)

            // The same model, loaded independently, forecasts the same numbers (kelvin -> celsius).
            let file = try fixture.repository.read(plugin: "seasonal-naive", city: "Portland", variable: "temperature")
            let direct = try fixture.plugin.loadModel(file.blob).forecast(horizon: 72, level: 0.95)
            for (step, hour) in hours.enumerated() {
                let celsius = try #require(hour["temperature"] as? Double)
                #expect(abs(celsius - (direct.mean[step] - 273.15)) < 0.001)
                let lower = try #require(hour["temperatureLower"] as? Double)
                let upper = try #require(hour["temperatureUpper"] as? Double)
                #expect(abs(lower - (direct.lower[step] - 273.15)) < 0.001)
                #expect(lower <= celsius && celsius <= upper)
                let humidity = try #require(hour["humidity"] as? Double)
                let humidityLower = try #require(hour["humidityLower"] as? Double)
                let humidityUpper = try #require(hour["humidityUpper"] as? Double)
                #expect(0 <= humidityLower && humidityLower <= humidity && humidity <= humidityUpper && humidityUpper <= 100)
            }
        }
    }

    @Test("when humidity ends 5 hours before temperature, the forecast starts after the later hour and humidity fills the gap")
    func misalignedVariables() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        // Republish Portland's humidity trained only up to 5 hours before the temperature's end.
        let earlier = ServerFixture.lastTime - 5 * 3600
        let humidity = ServerFixture.series(lastTime: earlier, offset: 3).humidity
        let output = try fixture.plugin.train(humidity, options: "{}")
        let manifest = ModelManifest(
            plugin: fixture.plugin.name, pluginVersion: fixture.plugin.version, abiVersion: fixture.plugin.abiVersion,
            city: "Portland", variable: "humidity", firstTime: humidity.startTime, lastTime: humidity.lastTime,
            stepSeconds: 3600, count: humidity.count, trainedAt: 0, trainingSeconds: 0, options: "{}",
            summary: output.summaryJSON, blobSize: output.blob.count, blobSHA256: ModelFile.sha256(output.blob))
        try fixture.repository.publish(ModelFile(manifest: manifest, blob: output.blob))

        // Without a store the humidity model forecasts the 5 hours in between.
        let app = Application(router: try fixture.server(withStore: false).buildRouter())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/v1/forecast/24?city=Portland", method: .get)
            #expect(response.status == .ok)
            let body = try response.json()
            let hours = try #require(body["forecast"] as? [[String: Any]])
            #expect(hours.count == 24)
            #expect(hours.first?["time"] as? String == Self.iso(ServerFixture.lastTime + 3600))
            let direct = try fixture.plugin.loadModel(output.blob).forecast(horizon: 29, level: 0.95)
            for (step, hour) in hours.enumerated() {
                let value = try #require(hour["humidity"] as? Double)
                #expect(abs(value - min(max(direct.mean[step + 5], 0), 100)) < 0.001)
            }
        }
        // With the store, which holds those 5 hours, the humidity model is conditioned on them instead.
        let stored = try SQLiteStore(path: fixture.storePath).observations(city: "Portland", from: earlier + 3600, to: nil)
        let newer = TimeSeries(values: stored.map { $0.humidity! }, startTime: earlier + 3600)
        #expect(newer.count == 5)
        let conditioned = try fixture.plugin.loadModel(output.blob).conditioned(on: newer).forecast(horizon: 24, level: 0.95)
        let live = Application(router: try fixture.server().buildRouter())
        try await live.test(.router) { client in
            let body = try await client.execute(uri: "/v1/forecast/24?city=Portland", method: .get).json()
            let model = try #require(body["model"] as? [String: Any])
            #expect(model["conditioned"] as? Bool == true)
            #expect(model["lastObservation"] as? String == Self.iso(ServerFixture.lastTime))
            let hours = try #require(body["forecast"] as? [[String: Any]])
            #expect(hours.first?["time"] as? String == Self.iso(ServerFixture.lastTime + 3600))
            for (step, hour) in hours.enumerated() {
                let value = try #require(hour["humidity"] as? Double)
                #expect(abs(value - min(max(conditioned.mean[step], 0), 100)) < 0.001)
            }
        }
    }

    @Test("units and level change the numbers consistently; the default city answers without ?city")
    func unitsAndLevel() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let app = Application(router: try fixture.server().buildRouter())
        try await app.test(.router) { client in
            let celsius = try await client.execute(uri: "/v1/forecast/24", method: .get).json()
            #expect((celsius["model"] as? [String: Any])?["city"] as? String == "San Francisco")
            let fahrenheit = try await client.execute(uri: "/v1/forecast/24?units=fahrenheit", method: .get).json()
            let kelvin = try await client.execute(uri: "/v1/forecast/24?units=kelvin", method: .get).json()
            let narrow = try await client.execute(uri: "/v1/forecast/24?level=0.5", method: .get).json()
            let c = try #require(celsius["forecast"] as? [[String: Any]])
            let f = try #require(fahrenheit["forecast"] as? [[String: Any]])
            let k = try #require(kelvin["forecast"] as? [[String: Any]])
            let n = try #require(narrow["forecast"] as? [[String: Any]])
            #expect((fahrenheit["units"] as? [String: Any])?["temperature"] as? String == "°F")
            for step in 0..<24 {
                let tc = try #require(c[step]["temperature"] as? Double)
                #expect(abs(try #require(f[step]["temperature"] as? Double) - (tc * 9 / 5 + 32)) < 0.01)
                #expect(abs(try #require(k[step]["temperature"] as? Double) - (tc + 273.15)) < 0.01)
                let wide = try #require(c[step]["temperatureUpper"] as? Double) - (try #require(c[step]["temperatureLower"] as? Double))
                let tight = try #require(n[step]["temperatureUpper"] as? Double) - (try #require(n[step]["temperatureLower"] as? Double))
                #expect(tight < wide)
            }
        }
    }

    @Test("bad input answers 400, unknown routes and cities 404, all as JSON errors",
          arguments: [
              ("/v1/forecast/0", 400, "bad_hours"), ("/v1/forecast/169", 400, "bad_hours"),
              ("/v1/forecast/abc", 400, "bad_hours"), ("/v1/forecast/24?units=rankine", 400, "bad_units"),
              ("/v1/forecast/24?level=1.5", 400, "bad_level"), ("/v1/forecast/24?level=x", 400, "bad_level"),
              ("/v1/forecast/24?city=Atlantis", 404, "unknown_city"), ("/v7/forecast/24", 404, "not_found"),
              ("/nothing/here/at/all", 404, "not_found"),
          ])
    func errors(uri: String, status: Int, code: String) async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let app = Application(router: try fixture.server().buildRouter())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: uri, method: .get)
            #expect(response.status.code == status)
            #expect(try response.errorCode() == code)
            let message = try #require((try response.json()["error"] as? [String: Any])?["message"] as? String)
            #expect(!message.isEmpty)
        }
    }

    @Test("a route without models answers 503 with the reason while the other route works; readyz says not ready")
    func missingModels() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let config = ServerFixture.config(routes: [
            .init(name: "v1", target: .plugin("seasonal-naive")),
            .init(name: "v2", target: .plugin("autoreg")),
        ])
        let app = Application(router: try fixture.server(config: config).buildRouter())
        try await app.test(.router) { client in
            let missing = try await client.execute(uri: "/v2/forecast/24", method: .get)
            #expect(missing.status == .serviceUnavailable)
            #expect(try missing.errorCode() == "model_unavailable")
            #expect(missing.text.contains("autoreg"))
            #expect(try await client.execute(uri: "/v1/forecast/24", method: .get).status == .ok)
            let ready = try await client.execute(uri: "/readyz", method: .get)
            #expect(ready.status == .serviceUnavailable)
            #expect(try ready.json()["ready"] as? Bool == false)
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
            let info = try await client.execute(uri: "/v2", method: .get).json()
            #expect(info["status"] as? String == "unavailable")
        }
    }

    @Test("a model file that fails its checksum takes down only its city, with the reason")
    func checksumFailure() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        try fixture.corrupt(city: "Portland", variable: "humidity")
        let app = Application(router: try fixture.server().buildRouter())
        try await app.test(.router) { client in
            let broken = try await client.execute(uri: "/v1/forecast/24?city=Portland", method: .get)
            #expect(broken.status == .serviceUnavailable)
            #expect(try broken.errorCode() == "model_unavailable")
            #expect(broken.text.contains("checksum"))
            #expect(try await client.execute(uri: "/v1/forecast/24?city=San%20Francisco", method: .get).status == .ok)
            let ready = try await client.execute(uri: "/readyz", method: .get)
            #expect(ready.status == .ok)
        }
    }

    @Test("GET /{route} describes the service and its models")
    func routeInfo() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let app = Application(router: try fixture.server().buildRouter())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/v1", method: .get)
            #expect(response.status == .ok)
            let body = try response.json()
            #expect(body["status"] as? String == "ready")
            let cities = (body["models"] as? [[String: Any]] ?? []).compactMap { $0["city"] as? String }
            #expect(cities == ServerFixture.cities.sorted())
            // Every loaded plugin is also served under its own name.
            #expect(try await client.execute(uri: "/seasonal-naive/forecast/24", method: .get).status == .ok)
        }
    }

    @Test("forecasts are cached per generation: a repeat is byte-identical and computed once")
    func caching() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let server = try fixture.server()
        let app = Application(router: server.buildRouter())
        try await app.test(.router) { client in
            let first = try await client.execute(uri: "/v1/forecast/48?city=Portland", method: .get)
            #expect(server.cache.count == 1)
            let second = try await client.execute(uri: "/v1/forecast/48?city=Portland", method: .get)
            #expect(server.cache.count == 1)
            #expect(first.body == second.body)
            _ = try await client.execute(uri: "/v1/forecast/48?city=Portland&units=kelvin", method: .get)
            #expect(server.cache.count == 2)
        }
    }

    @Test("/metrics counts requests per route and status and reports model age")
    func metrics() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let app = Application(router: try fixture.server().buildRouter())
        try await app.test(.router) { client in
            _ = try await client.execute(uri: "/v1/forecast/24", method: .get)
            _ = try await client.execute(uri: "/v1/forecast/24", method: .get)
            _ = try await client.execute(uri: "/v1/forecast/999", method: .get)
            let text = try await client.execute(uri: "/metrics", method: .get).text
            let ok = text.split(separator: "\n").first {
                $0.hasPrefix("forecast_http_requests_total{") && $0.contains("route=\"v1\"") && $0.contains("status=\"200\"")
            }
            #expect(ok?.hasSuffix(" 2") == true)
            #expect(text.contains("status=\"400\""))
            #expect(text.contains("forecast_http_request_duration_seconds_bucket"))
            #expect(text.contains("forecast_model_age_seconds{"))
            #expect(text.contains("city=\"Portland\""))
        }
    }

    @Test("POST /admin/reload refuses peers that are not on loopback")
    func reloadNeedsLoopback() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let app = Application(router: try fixture.server().buildRouter())
        try await app.test(.router) { client in
            // The router test framework has no socket, so there is no loopback peer.
            let response = try await client.execute(uri: "/admin/reload", method: .post)
            #expect(response.status == .forbidden)
            #expect(try response.errorCode() == "forbidden")
        }
    }

    static func iso(_ seconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
}
