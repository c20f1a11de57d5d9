import Foundation
import ForecastServer
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("reload (live sockets)")
struct ReloadTests {
    @Test("reloading while requests run: every request succeeds, and the new models serve afterwards")
    func reloadUnderLoad() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let server = try fixture.server()
        let app = await server.buildApplication()
        try await app.testOnOwnThreads(.ahc(.http)) { client in
            let reloads = 4
            let failures = try await withThrowingTaskGroup(of: [String].self) { group in
                for worker in 0..<4 {
                    group.addTask {
                        var failures: [String] = []
                        for index in 0..<30 {
                            let hours = 1 + (worker * 37 + index * 11) % 168
                            let city = index % 2 == 0 ? "Portland" : "San%20Francisco"
                            let response = try await client.execute(uri: "/v1/forecast/\(hours)?city=\(city)", method: .get)
                            if response.status != .ok { failures.append("\(hours) \(city): \(response.status)") }
                            let count = (try? response.json()["forecast"] as? [Any])?.count
                            if count != hours { failures.append("\(hours) \(city): \(String(describing: count)) hours") }
                        }
                        return failures
                    }
                }
                group.addTask {
                    var failures: [String] = []
                    for step in 1...reloads {
                        // Newer data arrives: retrain one city one hour later, then reload.
                        try fixture.train(city: "Portland", lastTime: ServerFixture.lastTime + Int64(step) * 3600, offset: 3)
                        let response = try await client.execute(uri: "/admin/reload", method: .post)
                        if response.status != .ok { failures.append("reload \(step): \(response.status) \(response.text)") }
                    }
                    return failures
                }
                var all: [String] = []
                for try await failures in group { all += failures }
                return all
            }
            #expect(failures.isEmpty, "\(failures)")
            #expect(server.library.current.generation == 1 + reloads)
            let body = try await client.execute(uri: "/v1/forecast/24?city=Portland", method: .get).json()
            let first = (body["forecast"] as? [[String: Any]])?.first?["time"] as? String
            #expect(first == ForecastRouteTests.iso(ServerFixture.lastTime + Int64(reloads + 1) * 3600))
        }
    }

    @Test("a reload that would break a serving city is refused and the old models keep serving")
    func failedReloadKeepsOldModels() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let server = try fixture.server()
        let app = await server.buildApplication()
        try await app.testOnOwnThreads(.ahc(.http)) { client in
            let before = try await client.execute(uri: "/v1/forecast/24?city=Portland", method: .get)
            try fixture.corrupt(city: "Portland", variable: "temperature")
            let reload = try await client.execute(uri: "/admin/reload", method: .post)
            #expect(reload.status == .conflict)
            #expect(try reload.errorCode() == "reload_failed")
            #expect(reload.text.contains("checksum"))
            #expect(server.library.current.generation == 1)
            let after = try await client.execute(uri: "/v1/forecast/24?city=Portland", method: .get)
            #expect(after.status == .ok)
            #expect(after.body == before.body)
        }
    }
}
