import Foundation
import ForecastServer
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("the page")
struct PageTests {
    /// The `points` attributes of `<polyline class="forecast" data-route="ROUTE" ...>` elements.
    static func forecastLines(in html: String, route: String) -> [[(Double, Double)]] {
        var result: [[(Double, Double)]] = []
        var rest = Substring(html)
        while let start = rest.range(of: "<polyline class=\"forecast\" data-route=\"\(route)\"") {
            let tail = rest[start.upperBound...]
            // Up to the tag's end: `/>` as served, `></polyline>` as a browser serialises it.
            guard let end = tail.range(of: ">"),
                  let pointsStart = tail[..<end.lowerBound].range(of: "points=\""),
                  let pointsEnd = tail[pointsStart.upperBound..<end.lowerBound].range(of: "\"") else { break }
            let points = tail[pointsStart.upperBound..<pointsEnd.lowerBound]
            result.append(points.split(separator: " ").compactMap { pair in
                let xy = pair.split(separator: ",").compactMap { Double($0) }
                return xy.count == 2 ? (xy[0], xy[1]) : nil
            })
            rest = tail[end.upperBound...]
        }
        return result
    }

    @Test("each city has temperature and humidity charts with 72 forecast points per route, bands and the observed week")
    func pageWithStore() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let app = Application(router: try fixture.server().buildRouter())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
            let html = response.text
            #expect(!html.contains("<script"))
            #expect(!html.contains("src=\"http"))
            #expect(!html.contains("@import"))
            for city in ServerFixture.cities {
                #expect(html.contains("data-city=\"\(city)\" data-variable=\"temperature\""))
                #expect(html.contains("data-city=\"\(city)\" data-variable=\"humidity\""))
            }
            let lines = Self.forecastLines(in: html, route: "v1")
            #expect(lines.count == 2 * ServerFixture.cities.count)
            for line in lines {
                #expect(line.count == 72)
                // Time runs left to right.
                #expect(zip(line, line.dropFirst()).allSatisfy { $0.0 < $1.0 })
            }
            #expect(html.contains("class=\"band\" data-route=\"v1\""))
            // /seasonal-naive serves the same models as /v1: drawn once, under the configured name.
            #expect(Self.forecastLines(in: html, route: "seasonal-naive").isEmpty)
            #expect(html.contains("class=\"observed\""))
            #expect(html.contains("Observed: \(ServerFixture.historyHours > 168 ? 168 : ServerFixture.historyHours) hours"))
            // The default city comes first.
            let sf = try #require(html.range(of: "<h2>San Francisco</h2>"))
            let portland = try #require(html.range(of: "<h2>Portland</h2>"))
            #expect(sf.lowerBound < portland.lowerBound)
        }
    }

    @Test("without a store the page still draws the forecasts and says observations are unavailable")
    func pageWithoutStore() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let app = Application(router: try fixture.server(withStore: false).buildRouter())
        try await app.test(.router) { client in
            let html = try await client.execute(uri: "/", method: .get).text
            #expect(html.contains("Observations unavailable"))
            #expect(!html.contains("class=\"observed\""))
            #expect(Self.forecastLines(in: html, route: "v1").count == 2 * ServerFixture.cities.count)
        }
    }
}
