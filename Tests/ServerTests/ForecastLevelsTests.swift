import Foundation
import ForecastServer
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("several interval levels per forecast request")
struct ForecastLevelsTests {
    @Test("level=0.8,0.95 answers both bands; the per-hour bounds are the first level's, as a single-level request gives them")
    func twoLevels() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let app = Application(router: try fixture.server().buildRouter())
        try await app.test(.router) { client in
            let both = try await client.execute(uri: "/v1/forecast/24?city=Portland&level=0.8,0.95", method: .get)
            #expect(both.status == .ok)
            let body = try both.json()
            let query = try #require(body["query"] as? [String: Any])
            #expect(query["level"] as? Double == 0.8)
            #expect(query["levels"] as? [Double] == [0.8, 0.95])
            let intervals = try #require(body["intervals"] as? [[String: Any]])
            #expect(intervals.map { $0["level"] as? Double } == [0.8, 0.95])
            let hours = try #require(body["forecast"] as? [[String: Any]])

            let narrow = try await client.execute(uri: "/v1/forecast/24?city=Portland&level=0.8", method: .get).json()
            let wide = try await client.execute(uri: "/v1/forecast/24?city=Portland&level=0.95", method: .get).json()
            let narrowHours = try #require(narrow["forecast"] as? [[String: Any]])
            let wideHours = try #require(wide["forecast"] as? [[String: Any]])
            for key in ["temperatureLower", "temperatureUpper", "humidityLower", "humidityUpper"] {
                let band80 = try #require(intervals[0][key] as? [Double])
                let band95 = try #require(intervals[1][key] as? [Double])
                #expect(band80.count == 24 && band95.count == 24)
                for step in 0..<24 {
                    #expect(hours[step][key] as? Double == band80[step])
                    #expect(narrowHours[step][key] as? Double == band80[step])
                    #expect(wideHours[step][key] as? Double == band95[step])
                }
            }
            let lower80 = try #require(intervals[0]["temperatureLower"] as? [Double])
            let lower95 = try #require(intervals[1]["temperatureLower"] as? [Double])
            #expect(zip(lower80, lower95).allSatisfy { $1 < $0 })
        }
    }

    @Test("the cache keys on the level list: 0.8,0.95 and 0.95,0.8 are two bodies, a repeat is one")
    func cacheKeysOnLevels() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let server = try fixture.server()
        let app = Application(router: server.buildRouter())
        try await app.test(.router) { client in
            let first = try await client.execute(uri: "/v1/forecast/24?level=0.8,0.95", method: .get)
            let repeated = try await client.execute(uri: "/v1/forecast/24?level=0.8,0.95", method: .get)
            #expect(first.body == repeated.body)
            #expect(server.cache.count == 1)
            let swapped = try await client.execute(uri: "/v1/forecast/24?level=0.95,0.8", method: .get)
            #expect(server.cache.count == 2)
            #expect(try swapped.json()["query"].flatMap { ($0 as? [String: Any])?["level"] as? Double } == 0.95)
        }
    }

    @Test("a bad level list answers 400 bad_level naming the problem",
          arguments: ["0.8,", "0.8,1", ",0.9", "0.0", "1e-1", "0.8;0.95", "0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9"])
    func badLists(level: String) async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let app = Application(router: try fixture.server().buildRouter())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/v1/forecast/24?level=\(level)", method: .get)
            #expect(response.status == .badRequest)
            #expect(try response.errorCode() == "bad_level")
        }
    }
}
