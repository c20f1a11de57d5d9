import Foundation
@testable import ForecastServer
import ForecastStore
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ModelFiles
import NIOCore
import PluginBinding
import TestSupport
import Testing

@Suite("GET /{route}/accuracy (router)")
struct AccuracyEndpointTests {
    static let origin = ServerFixture.lastTime
    static let hours = 48

    /// Portland's observations for the 48 hours after the training end: the fixture's
    /// cycle carried on, so the seasonal-naive forecasts miss by a varying amount.
    static func posted() -> [Observation] {
        let (temperature, humidity) = ServerFixture.series(lastTime: origin + Int64(hours) * 3600, offset: 3)
        return (0..<hours).map { step in
            let index = temperature.count - hours + step
            return Observation(city: "Portland", time: temperature.startTime + Int64(index) * 3600,
                               temperature: temperature.values[index], humidity: humidity.values[index])
        }
    }

    /// What one band should hold, computed from the forecasts fetched and the values posted.
    struct Expected {
        var count = 0, absolute = 0.0, squares = 0.0, inside = 0
    }

    /// /v1 on seasonal-naive (whose own route, /seasonal-naive, is the baseline), /v2 on
    /// autoreg, both trained up to T, over the fixture's store.
    static func server(_ fixture: ServerFixture) throws -> ForecastServer {
        let autoreg = try BuildProducts.plugin("AutoReg")
        for (index, city) in ServerFixture.cities.enumerated() where !FileManager.default.fileExists(
            atPath: fixture.repository.path(plugin: autoreg.name, city: city, variable: "humidity")) {
            // The fixture's sum of sines is an exact linear recursion, which a regression on
            // its lags refuses: trained with a little deterministic noise added.
            let (temperature, humidity) = ServerFixture.series(lastTime: origin, offset: Double(index) * 3)
            var state: UInt64 = 12345
            func noisy(_ series: TimeSeries) -> TimeSeries {
                TimeSeries(values: series.values.map { value in
                    state = state &* 6364136223846793005 &+ 1442695040888963407
                    return value + Double(state >> 40) / Double(1 << 24) - 0.5
                }, startTime: series.startTime)
            }
            for (variable, series) in [("temperature", noisy(temperature)), ("humidity", noisy(humidity))] {
                let options = "{}"
                let output = try autoreg.train(series, options: options)
                let manifest = ModelManifest(
                    plugin: autoreg.name, pluginVersion: autoreg.version, abiVersion: autoreg.abiVersion, city: city,
                    variable: variable, firstTime: series.startTime, lastTime: series.lastTime, stepSeconds: 3600,
                    count: series.count, trainedAt: Int64(Date().timeIntervalSince1970), trainingSeconds: 0.001,
                    options: options, summary: output.summaryJSON, blobSize: output.blob.count,
                    blobSHA256: ModelFile.sha256(output.blob))
                try fixture.repository.publish(ModelFile(manifest: manifest, blob: output.blob))
            }
        }
        let config = ServerFixture.config(routes: [
            .init(name: "v1", target: .plugin("seasonal-naive"), description: "Seasonal naive"),
            .init(name: "v2", target: .plugin("autoreg"), description: "AutoReg"),
        ])
        var configuration = ServerConfiguration(host: "127.0.0.1", port: 0, config: config, plugins: [fixture.plugin, autoreg],
                                                repository: fixture.repository, store: try SQLiteStore(path: fixture.storePath))
        configuration.writeToken = ObservationsEndpointTests.token
        return ForecastServer(configuration: configuration)
    }

    @Test("posting 48 hours one by one scores every forecast issued at each hour once, matching a computation by hand (skill too); a new server on the same work directory answers the same")
    func scoresAndSurvivesRestart() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let observations = Self.posted()
        let server = try Self.server(fixture)
        let app = Application(router: server.buildRouter())
        let first = try await app.test(.router) { client in
            // [route][variable][band]
            let empty = ["temperature": Array(repeating: Expected(), count: 3), "humidity": Array(repeating: Expected(), count: 3)]
            var byRoute = ["v1": empty, "v2": empty]
            for (step, row) in observations.enumerated() {
                // The forecast each route issues now, from origin T + step.
                for route in ["v1", "v2"] {
                    let body = try await client.execute(uri: "/\(route)/forecast/72?city=Portland&units=kelvin", method: .get).json()
                    let forecast = try #require(body["forecast"] as? [[String: Any]]).compactMap(ForecastHour.init(json:))
                    try #require(forecast.count == 72)
                    #expect(forecast[0].time == Self.origin + Int64(step + 1) * 3600)
                    for (lead, hour) in forecast.enumerated() {
                        guard let observed = observations.first(where: { $0.time == hour.time }) else { continue }
                        for (variable, mean, lower, upper, value) in [
                            ("temperature", hour.temperature, hour.temperatureLower, hour.temperatureUpper, observed.temperature!),
                            ("humidity", hour.humidity, hour.humidityLower, hour.humidityUpper, observed.humidity!)] {
                            let error = mean - value
                            byRoute[route]![variable]![lead / 24].count += 1
                            byRoute[route]![variable]![lead / 24].absolute += abs(error)
                            byRoute[route]![variable]![lead / 24].squares += error * error
                            if value >= lower && value <= upper { byRoute[route]![variable]![lead / 24].inside += 1 }
                        }
                    }
                }
                let post = #"{"observations":[{"city":"Portland","time":"\#(ISOTime.format(row.time))","temperature":\#(row.temperature!),"humidity":\#(row.humidity!)}]}"#
                #expect(try await ObservationsEndpointTests.post(client, post).status == .ok)
            }
            await server.accuracy.settled()  // the scoring runs after each POST answers
            let expected = byRoute["v1"]!
            let answer = try await client.execute(uri: "/v1/accuracy?city=Portland", method: .get)
            #expect(answer.status == .ok)
            let text = String(buffer: answer.body)
            let json = try answer.json()
            // The route every loaded plugin gets, /seasonal-naive, is the baseline.
            #expect(json["baseline"] as? String == "seasonal-naive")
            let cities = try #require(json["cities"] as? [[String: Any]])
            try #require(cities.count == 1)
            let variables = try #require(cities[0]["variables"] as? [String: [[String: Any]]])
            var total = 0
            for (variable, bands) in expected {
                let served = try #require(variables[variable])
                for (index, band) in bands.enumerated() {
                    let got = served[index]
                    #expect(got["n"] as? Int == band.count, "\(variable) band \(index)")
                    total += band.count
                    guard band.count > 0 else {
                        // Leads 49-72 of origins T..T+47 all lie after T+48: nothing to score.
                        #expect(got["mae"] is NSNull && got["coverage95"] is NSNull)
                        continue
                    }
                    let mae = try #require(got["mae"] as? Double)
                    let rmse = try #require(got["rmse"] as? Double)
                    #expect(abs(mae - band.absolute / Double(band.count)) < 1e-3, "\(variable) band \(index) MAE")
                    #expect(abs(rmse - (band.squares / Double(band.count)).squareRoot()) < 1e-3, "\(variable) band \(index) RMSE")
                    #expect(got["coverage95"] as? Double == Double(band.inside) / Double(band.count))
                    // The same plugin's models as the baseline's: skill 0.
                    #expect(abs(try #require(got["skill"] as? Double)) < 1e-12)
                }
            }
            // Origins T .. T+47 had 48, 47, ... 1 leads observed, for each variable.
            #expect(total == 2 * 48 * 49 / 2)
            // /v2 against the baseline, on the same leads (all of them here).
            let v2 = try await client.execute(uri: "/v2/accuracy?city=Portland", method: .get).json()
            let v2Variables = try #require((v2["cities"] as? [[String: Any]])?.first?["variables"] as? [String: [[String: Any]]])
            for variable in ["temperature", "humidity"] {
                for band in 0..<2 {
                    let own = byRoute["v2"]![variable]![band], baseline = expected[variable]![band]
                    let got = try #require(v2Variables[variable]?[band])
                    #expect(got["n"] as? Int == own.count)
                    let mae = try #require(got["mae"] as? Double)
                    #expect(abs(mae - own.absolute / Double(own.count)) < 1e-3, "/v2 \(variable) band \(band) MAE")
                    let skill = try #require(got["skill"] as? Double)
                    #expect(abs(skill - (1 - own.absolute / baseline.absolute)) < 1e-3, "/v2 \(variable) band \(band) skill")
                }
            }
            // San Francisco got no new hour: its one forecast waits, nothing scored.
            let all = try await client.execute(uri: "/v1/accuracy", method: .get).json()
            let sf = (all["cities"] as? [[String: Any]])?.first { $0["city"] as? String == "San Francisco" }
            #expect(((sf?["variables"] as? [String: [[String: Any]]])?["temperature"]?.first?["n"] as? Int) == 0)
            let metrics = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            #expect(metrics.contains(#"forecast_accuracy_scored_total{route="v1",city="Portland",variable="temperature",band="1-24"} \#(expected["temperature"]![0].count)"#))
            #expect(metrics.contains(#"forecast_accuracy_mae{route="v1",city="Portland",variable="humidity",band="49-72"}"#) == false)
            #expect(try await client.execute(uri: "/v1/accuracy?city=Atlantis", method: .get).status == .notFound)
            return text
        }
        // A restart: the scores come back from <workdir>/accuracy.bin.
        #expect(FileManager.default.fileExists(atPath: fixture.root + "/accuracy.bin"))
        let restarted = Application(router: try Self.server(fixture).buildRouter())
        try await restarted.test(.router) { client in
            let again = try await client.execute(uri: "/v1/accuracy?city=Portland", method: .get)
            #expect(String(buffer: again.body) == first)
        }
    }

    @Test("an interpolated value is not scored; the measurement that replaces it is")
    func interpolatedWaits() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let server = try ObservationsEndpointTests.server(fixture)
        let app = Application(router: server.buildRouter())
        let next = ObservationsEndpointTests.next
        // After the server recorded its forecasts at T: an interpolated temperature at T+1.
        try SQLiteStore(path: fixture.storePath).upsert(ObservationBatch([.init(city: "Portland", start: next, temperature: [280], humidity: [.nan],
                                                                                imputed: [ImputedMask.temperature])]), progress: { _ in }, beforeCommit: {})
        try await app.test(.router) { client in
            func scored() async throws -> [String: Int] {
                await server.accuracy.settled()
                let json = try await client.execute(uri: "/v1/accuracy?city=Portland", method: .get).json()
                let variables = (json["cities"] as? [[String: Any]])?.first?["variables"] as? [String: [[String: Any]]] ?? [:]
                return variables.mapValues { $0.first?["n"] as? Int ?? -1 }
            }
            let humidity = #"{"observations":[{"city":"Portland","time":"\#(ISOTime.format(next))","humidity":60}]}"#
            let first = try await ObservationsEndpointTests.post(client, humidity)
            #expect(first.status == .ok)
            let waiting = try await scored()
            #expect(waiting == ["temperature": 0, "humidity": 1])
            let temperature = #"{"observations":[{"city":"Portland","time":"\#(ISOTime.format(next))","temperature":281}]}"#
            let second = try await ObservationsEndpointTests.post(client, temperature)
            #expect(second.status == .ok)
            let measured = try await scored()
            #expect(measured == ["temperature": 1, "humidity": 1])
        }
    }

    @Test("a damaged accuracy file is set aside with a warning and scoring starts afresh", arguments: ["accuracy.bin", "accuracy.json"])
    func damagedFile(name: String) async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        // A torn binary file (its hash no longer matches), or a first-format file that is not JSON.
        try Data((name == "accuracy.bin" ? AccuracyFile.magic + [2, 0, 0, 0, 7] : Array("{not json".utf8)))
            .write(to: URL(fileURLWithPath: fixture.root + "/" + name))
        let app = Application(router: try ObservationsEndpointTests.server(fixture).buildRouter())
        try await app.test(.router) { client in
            let json = try await client.execute(uri: "/v1/accuracy", method: .get).json()
            let cities = try #require(json["cities"] as? [[String: Any]])
            #expect(cities.map { $0["city"] as? String } == ["Portland", "San Francisco"])
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: fixture.root)
        #expect(names.contains { $0.hasPrefix(name + ".damaged-") })
        #expect(names.contains("accuracy.bin"))
    }
}
