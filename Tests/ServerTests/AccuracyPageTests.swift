import Foundation
@testable import ForecastServer
import ForecastVocabulary
import Hummingbird
import HummingbirdTesting
import PluginProcesses
import TestSupport
import Testing

/// The page's "Realized error by lead time" charts: a note before anything is scored, then
/// per variable one line per route with its MAE by lead; in headless Chromium too.
@Suite("the accuracy charts on the page")
struct AccuracyPageTests {
    /// Posts the first `hours` of ``AccuracyEndpointTests/posted()`` one hour at a time and
    /// waits for the scoring.
    static func post(_ client: some TestClientProtocol, server: ForecastServer, hours: Int) async throws {
        for row in AccuracyEndpointTests.posted().prefix(hours) {
            let body = #"{"observations":[{"city":"Portland","time":"\#(ISOTime.format(row.time))","temperature":\#(row.temperature!),"humidity":\#(row.humidity!)}]}"#
            let answer = try await ObservationsEndpointTests.post(client, body)
            #expect(answer.status == .ok, "\(String(buffer: answer.body))")
        }
        await server.accuracy.settled()
    }

    /// The accuracy lines of `route` in `html`: each `accuracy-line` element's variable and
    /// its number of points (a circle is one).
    static func lines(in html: String, route: String) -> [(variable: String, points: Int)] {
        var result: [(String, Int)] = []
        for chart in html.components(separatedBy: "<svg class=\"chart accuracy-chart\"").dropFirst() {
            let body = chart.components(separatedBy: "</svg>")[0]
            guard let variable = body.firstMatch(of: /data-variable="([^"]+)"/)?.1 else { continue }
            for match in body.matches(of: /class="accuracy-line" data-route="([^"]+)"([^>]*)>/) where match.1 == route {
                let points = match.2.firstMatch(of: /points="([^"]*)"/)?.1
                result.append((String(variable), points.map { $0.split(separator: " ").count } ?? 1))
            }
        }
        return result
    }

    @Test("before anything is scored the page says so; after 48 posted hours it draws each route's MAE at leads 1-48, per variable")
    func chartsFollowTheScores() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let server = try AccuracyEndpointTests.server(fixture)
        let app = Application(router: server.buildRouter())
        try await app.test(.router) { client in
            let empty = String(buffer: try await client.execute(uri: "/", method: .get).body)
            #expect(empty.contains("<h2>Realized error by lead time</h2>"))
            #expect(empty.contains("class=\"note accuracy-empty\""))
            #expect(!empty.contains("accuracy-chart"))

            try await Self.post(client, server: server, hours: AccuracyEndpointTests.hours)
            let html = String(buffer: try await client.execute(uri: "/", method: .get).body)
            #expect(!html.contains("accuracy-empty"))
            for route in ["v1", "v2"] {
                // Leads 1-48 scored (origins T..T+47), nothing beyond: one line of 48 points per variable, in the table's order.
                let drawn = Self.lines(in: html, route: route)
                #expect(drawn.map(\.variable) == Variable.defaults.map(\.name), "/\(route)")
                #expect(drawn.map(\.points) == [48, 48], "/\(route)")
            }
            // The legend counts what /{route}/accuracy counts: 48 + 47 + ... + 1 leads per variable.
            #expect(html.contains("/v1 · \(48 * 49 / 2) leads scored"))
            // MAE at lead 1 as drawn is the sum of lead-1 errors over the 48 origins, by hand from the tracker's sums.
            let errors = server.accuracy.leadErrors(city: nil)
            #expect(errors["autoreg"]?["temperature"]?.count.prefix(49) == ArraySlice((0..<48).map { 48 - $0 } + [0]))

            // One city chosen: Portland has the scores, San Francisco none yet.
            let portland = String(buffer: try await client.execute(uri: "/?city=portland", method: .get).body)
            #expect(portland.contains("<option value=\"Portland\" selected>"))
            #expect(Self.lines(in: portland, route: "v2").map(\.points) == [48, 48])
            let sf = String(buffer: try await client.execute(uri: "/?city=San%20Francisco", method: .get).body)
            #expect(sf.contains("Nothing scored yet (San Francisco)"))
            let unknown = String(buffer: try await client.execute(uri: "/?city=Atlantis", method: .get).body)
            #expect(unknown.contains("No route serves a city named Atlantis; showing all cities."))
            #expect(Self.lines(in: unknown, route: "v1").count == 2)
        }
    }

    /// Whether a headless-Chromium test runs: where Chromium is installed, and always on CI
    /// (`CI=true`), where a missing browser is a failure rather than a skip.
    static let browserTestRuns = Chromium.path != nil || ProcessInfo.processInfo.environment["CI"] == "true"

    @Test("headless Chromium screenshots the page with the accuracy charts: a 1200x900 PNG that is not blank, and the DOM it drew holds every route's lines",
          .enabled(if: browserTestRuns, "no chromium binary and not on CI (apt-get install -y chromium, or set CHROMIUM=/path)"))
    func screenshotShowsTheAccuracy() async throws {
        let chromium = try #require(Chromium.path, "CI=true but no chromium binary: scripts/install-deps installs it")
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let server = try AccuracyEndpointTests.server(fixture)
        let app = await server.buildApplication()
        try await app.testOnOwnThreads(.live) { client in
            try await Self.post(client, server: server, hours: AccuracyEndpointTests.hours)
            let port = try #require(client.port)
            let url = "http://127.0.0.1:\(port)/?city=Portland"
            let artifacts = ProcessInfo.processInfo.environment["FORECAST_TEST_ARTIFACTS"].map { $0 + "/" } ?? fixture.root + "/"
            let screenshot = artifacts + "accuracy-page.png"
            let profile = fixture.root + "/chromium-profile"
            var arguments = Chromium.arguments(profile: profile).filter { !$0.hasPrefix("--window-size=") }
            arguments.append("--window-size=1200,900")
            // A generous bound for a loaded machine: it guards against a hung browser, not a slow one.
            let shot = try await ProgramRun.run(ChildProcess(executable: chromium, arguments: arguments + ["--screenshot=\(screenshot)", url]),
                                                timeout: 300)
            #expect(shot.termination == .exited(0), "\(shot.output)\(shot.errors)")
            let png = try [UInt8](Data(contentsOf: URL(fileURLWithPath: screenshot)))
            let size = try #require(PNGHeader(png), "not a PNG: \(png.prefix(16))")
            #expect(size.width == 1200 && size.height == 900)
            // A blank 1200x900 page compresses to a few kilobytes; charts, text and colours do not.
            #expect(png.count > 30_000, "\(png.count) bytes")

            let dom = try await ProgramRun.run(ChildProcess(executable: chromium, arguments: Chromium.arguments(profile: profile) + ["--dump-dom", url]),
                                               timeout: 300)
            #expect(dom.termination == .exited(0), "\(dom.errors)")
            for route in ["v1", "v2"] {
                #expect(Self.lines(in: dom.output, route: route).map(\.points) == [48, 48], "/\(route) in the DOM Chromium drew")
            }
        }
    }
}

/// The width and height in a PNG's IHDR chunk (the first, after the 8-byte signature), or nil
/// when `bytes` is not a PNG.
struct PNGHeader {
    var width: Int
    var height: Int

    init?(_ bytes: [UInt8]) {
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard bytes.count >= 24, Array(bytes[0..<8]) == signature, Array(bytes[12..<16]) == Array("IHDR".utf8) else { return nil }
        func big(_ at: Int) -> Int { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        width = big(16)
        height = big(20)
    }
}
