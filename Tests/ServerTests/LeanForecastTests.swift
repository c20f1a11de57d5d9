import ForecastServer
import Foundation
import Hummingbird
import HummingbirdTesting
import ModelFiles
import PluginBinding
import TestSupport
import Testing

@Suite("lean forecast bodies and the models endpoint")
struct LeanForecastTests {
    @Test("a forecast names each model (plugin, version, description, trained at, training end), not its fit; the fit is at /models/{city}")
    func identityNotSummary() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let app = Application(router: try fixture.server().buildRouter())
        try await app.test(.router) { client in
            let body = try await client.execute(uri: "/v1/forecast/24?city=Portland", method: .get).json()
            let model = try #require(body["model"] as? [String: Any])
            #expect(model["details"] as? String == "/v1/models/portland")
            let temperature = try #require(model["temperature"] as? [String: Any])
            #expect(temperature["plugin"] as? String == "seasonal-naive")
            #expect(temperature["pluginVersion"] as? String == fixture.plugin.version)
            #expect(temperature["description"] as? String == "seasonal naive, period 24")
            #expect(temperature["trainingEnd"] as? String == ForecastRouteTests.iso(ServerFixture.lastTime))
            #expect(temperature["trainedAt"] is String)
            #expect(temperature["summary"] == nil && temperature["options"] == nil)

            for path in ["/v1/models/portland", "/v1/models/Portland", "/v1/models/San%20Francisco"] {
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.status == .ok, "\(path)")
            }
            let full = try await client.execute(uri: "/v1/models/portland", method: .get).json()
            #expect(full["city"] as? String == "Portland")
            let fit = try #require(full["temperature"] as? [String: Any])
            let summary = try #require(fit["summary"] as? [String: Any])
            #expect(summary["description"] as? String == "seasonal naive, period 24")
            #expect(summary["period"] as? Int == 24)
            #expect(fit["sha256"] is String)

            let unknown = try await client.execute(uri: "/v1/models/atlantis", method: .get)
            #expect(unknown.status == .notFound)
            #expect(try unknown.errorCode() == "unknown_city")
        }
    }

    @Test("a model whose summary has no description (an ABI 1.0 plugin's) still serves, described by the plugin's name and version")
    func noDescription() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        // Republish Portland's temperature with the summary an older plugin wrote: no description.
        let old = try fixture.repository.read(plugin: fixture.plugin.name, city: "Portland", variable: "temperature")
        var manifest = old.manifest
        manifest.summary = #"{"model":"seasonal naive","period":24}"#
        try fixture.repository.publish(ModelFile(manifest: manifest, blob: old.blob))
        let app = Application(router: try fixture.server().buildRouter())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/v1/forecast/24?city=Portland", method: .get)
            #expect(response.status == .ok)
            let model = try #require(try response.json()["model"] as? [String: Any])
            #expect((model["temperature"] as? [String: Any])?["description"] as? String == "seasonal-naive \(fixture.plugin.version)")
            #expect((model["humidity"] as? [String: Any])?["description"] as? String == "seasonal naive, period 24")
        }
    }

    @Test("GET /v2/forecast/72 with one level and both variables from an AutoReg model is at most 15 KB")
    func autoRegBodySize() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let autoreg = try BuildProducts.plugin("AutoReg")
        // Sixty days of a daily cycle with AR(1) noise (the fixture's noiseless series is an
        // exact recursion AutoReg rightly refuses).
        for (variable, level) in [("temperature", 285.0), ("humidity", 70.0)] {
            let series = ConformanceSuite.generatedSeries(count: 24 * 60, level: level, seed: variable == "temperature" ? 7 : 8)
            let output = try autoreg.train(series, options: "{}")
            let manifest = ModelManifest(
                plugin: autoreg.name, pluginVersion: autoreg.version, abiVersion: autoreg.abiVersion, city: "San Francisco",
                variable: variable, firstTime: series.startTime, lastTime: series.lastTime, stepSeconds: 3600,
                count: series.count, trainedAt: 1_700_000_000, trainingSeconds: 0.5, options: "{}",
                summary: output.summaryJSON, blobSize: output.blob.count, blobSHA256: ModelFile.sha256(output.blob))
            try fixture.repository.publish(ModelFile(manifest: manifest, blob: output.blob))
        }
        let config = ServerFixture.config(routes: [.init(name: "v2", target: .plugin("autoreg"), description: "AutoReg")])
        let server = ForecastServer(configuration: ServerConfiguration(
            host: "127.0.0.1", port: 0, config: config, plugins: [fixture.plugin, autoreg], repository: fixture.repository,
            store: nil, storeProblem: "no store in this test", workerSettings: nil))
        let app = Application(router: server.buildRouter())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/v2/forecast/72", method: .get)
            #expect(response.status == .ok)
            #expect(response.body.readableBytes <= 15 * 1024, "\(response.body.readableBytes) bytes")
            let model = try #require(try response.json()["model"] as? [String: Any])
            let description = try #require((model["temperature"] as? [String: Any])?["description"] as? String)
            #expect(description.hasPrefix("AutoReg("))
            // The whole fit is still there, at the models endpoint.
            let full = try await client.execute(uri: "/v2/models/san-francisco", method: .get)
            #expect(full.status == .ok)
            #expect(((try full.json()["temperature"] as? [String: Any])?["summary"] as? [String: Any])?["params"] is [Double])
        }
    }
}
