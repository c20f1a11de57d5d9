import Foundation
@testable import ForecastServer
import ForecastStore
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PluginHost
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

    @Test("posting 48 hours one by one scores every forecast issued at each hour once, matching a computation by hand; a new server on the same work directory answers the same")
    func scoresAndSurvivesRestart() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let observations = Self.posted()
        let server = try ObservationsEndpointTests.server(fixture)
        let app = Application(router: server.buildRouter())
        let first = try await app.test(.router) { client in
            // [variable][band]
            var expected = ["temperature": Array(repeating: Expected(), count: 3), "humidity": Array(repeating: Expected(), count: 3)]
            for (step, row) in observations.enumerated() {
                // The forecast the service issues now, from origin T + step.
                let body = try await client.execute(uri: "/v1/forecast/72?city=Portland&units=kelvin", method: .get).json()
                let forecast = try #require(body["forecast"] as? [[String: Any]]).compactMap(ForecastHour.init(json:))
                try #require(forecast.count == 72)
                #expect(forecast[0].time == Self.origin + Int64(step + 1) * 3600)
                for (lead, hour) in forecast.enumerated() {
                    guard let observed = observations.first(where: { $0.time == hour.time }) else { continue }
                    for (variable, mean, lower, upper, value) in [
                        ("temperature", hour.temperature, hour.temperatureLower, hour.temperatureUpper, observed.temperature!),
                        ("humidity", hour.humidity, hour.humidityLower, hour.humidityUpper, observed.humidity!)] {
                        let error = mean - value
                        expected[variable]![lead / 24].count += 1
                        expected[variable]![lead / 24].absolute += abs(error)
                        expected[variable]![lead / 24].squares += error * error
                        if value >= lower && value <= upper { expected[variable]![lead / 24].inside += 1 }
                    }
                }
                let post = #"{"observations":[{"city":"Portland","time":"\#(ISOTime.format(row.time))","temperature":\#(row.temperature!),"humidity":\#(row.humidity!)}]}"#
                #expect(try await ObservationsEndpointTests.post(client, post).status == .ok)
            }
            await server.accuracy.settled()  // the scoring runs after each POST answers
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
        // A restart: the scores come back from <workdir>/accuracy.json.
        #expect(FileManager.default.fileExists(atPath: fixture.root + "/accuracy.json"))
        let restarted = Application(router: try ObservationsEndpointTests.server(fixture).buildRouter())
        try await restarted.test(.router) { client in
            let again = try await client.execute(uri: "/v1/accuracy?city=Portland", method: .get)
            #expect(String(buffer: again.body) == first)
        }
    }

    @Test("a damaged accuracy file is set aside with a warning and scoring starts afresh")
    func damagedFile() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: fixture.root + "/accuracy.json"))
        let app = Application(router: try ObservationsEndpointTests.server(fixture).buildRouter())
        try await app.test(.router) { client in
            let json = try await client.execute(uri: "/v1/accuracy", method: .get).json()
            let cities = try #require(json["cities"] as? [[String: Any]])
            #expect(cities.map { $0["city"] as? String } == ["Portland", "San Francisco"])
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: fixture.root)
        #expect(names.contains { $0.hasPrefix("accuracy.json.damaged-") })
        #expect(names.contains("accuracy.json"))
    }
}
