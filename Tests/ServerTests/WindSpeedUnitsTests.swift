import Foundation
@testable import ForecastServer
import ForecastStore
import Hummingbird
import HummingbirdTesting
import ModelFiles
import PluginBinding
import Testing

/// A variable beyond temperature and humidity on the router: a city with a wind speed model
/// answers its fields beside the others, in m/s or km/h; a city without one does not.
@Suite("wind speed fields and units (router)")
struct WindSpeedUnitsTests {
    /// Publishes a wind speed model for `city`: a daily cycle around 5 m/s over the fixture's hours.
    static func trainWindSpeed(_ fixture: ServerFixture, city: String) throws {
        let start = ServerFixture.lastTime - Int64(ServerFixture.historyHours - 1) * 3600
        let values = (0..<ServerFixture.historyHours).map { index in
            5 + 2 * sin(2 * Double.pi * Double(index) / 24) + 0.5 * cos(Double(index) * 0.7)
        }
        let series = TimeSeries(values: values, startTime: start)
        let output = try fixture.plugin.train(series, options: "{}")
        let manifest = ModelManifest(
            plugin: fixture.plugin.name, pluginVersion: fixture.plugin.version, abiVersion: fixture.plugin.abiVersion, city: city,
            variable: Variable.windSpeed.name, firstTime: series.startTime, lastTime: series.lastTime, stepSeconds: 3600,
            count: series.count, trainedAt: Int64(Date().timeIntervalSince1970), trainingSeconds: 0.001,
            options: "{}", summary: output.summaryJSON, blobSize: output.blob.count, blobSHA256: ModelFile.sha256(output.blob))
        try fixture.repository.publish(ModelFile(manifest: manifest, blob: output.blob))
    }

    static func numbers(_ body: [String: Any], _ field: String) -> [Double] {
        ((body["forecast"] as? [[String: Any]]) ?? []).compactMap { ($0[field] as? NSNumber)?.doubleValue }
    }

    @Test("windSpeed, windSpeedLower and windSpeedUpper beside the old fields; wind_speed_units=km/h is 3.6 times m/s; a bad unit is 400")
    func windSpeedUnits() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        try Self.trainWindSpeed(fixture, city: "Portland")
        let app = Application(router: try ObservationsEndpointTests.server(fixture).buildRouter())
        try await app.test(.router) { client in
            let metres = try await client.execute(uri: "/v1/forecast/24?city=Portland", method: .get).json()
            let speeds = Self.numbers(metres, "windSpeed")
            #expect(speeds.count == 24 && speeds.allSatisfy { $0 >= 0 })
            #expect(Self.numbers(metres, "windSpeedLower").count == 24 && Self.numbers(metres, "temperature").count == 24)
            #expect((metres["units"] as? [String: Any])?["windSpeed"] as? String == "m/s")
            #expect((metres["query"] as? [String: Any])?["windSpeedUnits"] as? String == "m/s")

            let kilometres = try await client.execute(uri: "/v1/forecast/24?city=Portland&wind_speed_units=km/h", method: .get).json()
            let converted = Self.numbers(kilometres, "windSpeed")
            #expect(converted.count == 24)
            for (kmh, ms) in zip(converted, speeds) { #expect(abs(kmh - ms * 3.6) < 0.01, "\(kmh) km/h vs \(ms) m/s") }
            #expect((kilometres["units"] as? [String: Any])?["windSpeed"] as? String == "km/h")
            // Temperature is unchanged by the wind speed unit.
            #expect(Self.numbers(kilometres, "temperature") == Self.numbers(metres, "temperature"))

            let bad = try await client.execute(uri: "/v1/forecast/24?city=Portland&wind_speed_units=knots", method: .get)
            #expect(bad.status == .badRequest && String(buffer: bad.body).contains("bad_units"))

            // San Francisco has no wind speed model: no wind speed fields.
            let other = try await client.execute(uri: "/v1/forecast/24?city=San%20Francisco", method: .get).json()
            #expect(Self.numbers(other, "windSpeed").isEmpty && Self.numbers(other, "humidity").count == 24)
            #expect((other["units"] as? [String: Any])?["windSpeed"] == nil)

            let models = try await client.execute(uri: "/v1/models/portland", method: .get).json()
            #expect((models["windSpeed"] as? [String: Any])?["unit"] as? String == "m/s")
        }
    }
}
