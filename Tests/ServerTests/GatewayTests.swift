#if canImport(Glibc)
import Glibc
#endif
import ForecastConfiguration
import ForecastServer
import Foundation
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// A loopback TCP socket that listens but never accepts: connections complete in the
/// kernel's backlog and then hear nothing, like a hung upstream.
final class SilentListener {
    let descriptor: Int32
    let port: Int

    init() throws {
        (descriptor, port) = try LoopbackListener.open(backlog: 16)
    }

    deinit { close(descriptor) }
}

@Suite("gateway errors")
struct GatewayTests {
    @Test("an upstream that does not answer in time gives 504, one that refuses gives 502, both as JSON errors")
    func upstreamFailures() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let silent = try SilentListener()
        let config = ForecastConfig(routes: [
            .init(name: "slow", target: .upstream("http://127.0.0.1:\(silent.port)/v1"), timeoutSeconds: 0.5),
            .init(name: "dead", target: .upstream("http://127.0.0.1:9/v1"), timeoutSeconds: 1),
        ])
        let app = Application(router: try fixture.server(config: config).buildRouter())
        try await app.test(.router) { client in
            let slow = try await client.execute(uri: "/slow/forecast/24", method: .get)
            #expect(slow.status == .gatewayTimeout, "\(slow.text)")
            #expect(try slow.errorCode() == "upstream_timeout")
            let dead = try await client.execute(uri: "/dead/forecast/24", method: .get)
            #expect(dead.status == .badGateway, "\(dead.text)")
            #expect(try dead.errorCode() == "upstream_failed")
        }
        withExtendedLifetime(silent) {}
    }
}
