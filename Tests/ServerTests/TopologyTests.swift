import AsyncHTTPClient
import ForecastConfiguration
import ForecastServer
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

/// Three `forecast serve` processes on loopback: one host per route and a gateway.
@Suite("three-process topology (real sockets)")
struct TopologyTests {
    /// GET `url`, returning the status and body.
    static func get(_ url: String) async throws -> (Int, ByteBuffer) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(20))
        return (Int(response.status.code), try await response.body.collect(upTo: 8 << 20))
    }

    static func writeConfig(_ object: [String: Any], to path: String) throws {
        try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]).write(to: URL(fileURLWithPath: path))
    }

    @Test("a gateway proxying a v1 host and a v2 host answers exactly what one host serving both answers; SIGHUP reloads; SIGTERM exits cleanly",
          .enabled(if: FileManager.default.isExecutableFile(atPath: BuildProducts.forecastExecutable),
                   "the forecast executable is not built (run swift build first)"))
    func gatewayMatchesSingleHost() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        // Only the C baseline in the plugin directory, so each host serves only what its config names.
        let pluginDir = fixture.root + "/plugins"
        let emptyDir = fixture.root + "/no-plugins"
        try FileManager.default.createDirectory(atPath: pluginDir, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: emptyDir, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: pluginDir + "/libSeasonalNaive.so",
                                                   withDestinationPath: BuildProducts.libraryPath("SeasonalNaive"))
        let common = ["--workdir", fixture.root, "--database", "sqlite://" + fixture.storePath]
        try Self.writeConfig(["routes": ["v1": ["plugin": "seasonal-naive"]]], to: fixture.root + "/v1.json")
        try Self.writeConfig(["routes": ["v2": ["plugin": "seasonal-naive"]]], to: fixture.root + "/v2.json")
        let hostV1 = try await ServedProcess.start(common + ["--config", fixture.root + "/v1.json", "--plugin-dir", pluginDir], in: fixture.root)
        let hostV2 = try await ServedProcess.start(common + ["--config", fixture.root + "/v2.json", "--plugin-dir", pluginDir], in: fixture.root)
        try Self.writeConfig(["routes": [
            "v1": ["upstream": "http://127.0.0.1:\(hostV1.port)/v1"],
            "v2": ["upstream": "http://127.0.0.1:\(hostV2.port)/v2"],
            "v3": ["upstream": "http://127.0.0.1:9/v1", "timeoutSeconds": 2],  // nothing listens on the discard port
        ]], to: fixture.root + "/gateway.json")
        let gateway = try await ServedProcess.start(common + ["--config", fixture.root + "/gateway.json", "--plugin-dir", emptyDir], in: fixture.root)
        var statuses: [Int32] = []
        do {
            let base = "http://127.0.0.1:\(gateway.port)"
            // The single host, in-process: both routes on the same model files.
            let single = try fixture.server(config: ForecastConfig(routes: [
                .init(name: "v1", target: .plugin("seasonal-naive")),
                .init(name: "v2", target: .plugin("seasonal-naive")),
            ]))
            let singleApp = Application(router: single.buildRouter())
            try await singleApp.test(.router) { client in
                for uri in ["/v1/forecast/72", "/v2/forecast/24?city=Portland", "/v1/forecast/168?city=portland&units=fahrenheit&level=0.8"] {
                    let expected = try await client.execute(uri: uri, method: .get)
                    let (status, body) = try await Self.get(base + uri)
                    #expect(status == 200, "\(uri): \(String(buffer: body))")
                    #expect(body == expected.body, "\(uri) differs through the gateway")
                }
                let expectedError = try await client.execute(uri: "/v2/forecast/500", method: .get)
                let (status, body) = try await Self.get(base + "/v2/forecast/500")
                #expect(status == 400)
                #expect(body == expectedError.body)
            }
            // A dead upstream: 502 with a JSON error.
            let (deadStatus, deadBody) = try await Self.get(base + "/v3/forecast/24")
            #expect(deadStatus == 502)
            #expect(String(buffer: deadBody).contains("\"upstream_failed\""))
            // The gateway's page draws both upstream routes.
            let (pageStatus, page) = try await Self.get(base + "/")
            #expect(pageStatus == 200)
            #expect(PageTests.forecastLines(in: String(buffer: page), route: "v1").count == 2 * ServerFixture.cities.count)
            #expect(PageTests.forecastLines(in: String(buffer: page), route: "v2").count == 2 * ServerFixture.cities.count)

            // New model files, then SIGHUP: the v1 host serves them, and so does the gateway.
            try fixture.train(city: "Portland", lastTime: ServerFixture.lastTime + 5 * 3600, offset: 3)
            hostV1.send(SIGHUP)
            let expectedFirst = ForecastRouteTests.iso(ServerFixture.lastTime + 6 * 3600)
            var first: String?
            let deadline = ContinuousClock.now + .seconds(15)
            while first != expectedFirst, ContinuousClock.now < deadline {
                let (_, body) = try await Self.get(base + "/v1/forecast/24?city=Portland")
                let object = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]
                first = (object?["forecast"] as? [[String: Any]])?.first?["time"] as? String
                if first != expectedFirst { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(first == expectedFirst, "SIGHUP did not reload: \(hostV1.log)")
        } catch {
            Issue.record("\(error)\nv1: \(hostV1.log)\nv2: \(hostV2.log)\ngateway: \(gateway.log)")
        }
        statuses.append(await gateway.stop())
        statuses.append(await hostV1.stop())
        statuses.append(await hostV2.stop())
        #expect(statuses == [0, 0, 0], "graceful shutdown on SIGTERM exits 0")
    }
}
