import Dispatch
import Foundation
import ForecastServer
import Locking
import Testing
import TestSupport

/// The servers the tests run in this process answer even while other tests hold every
/// thread of Swift's cooperative pool (see ``DedicatedThreadsExecutor``).
///
/// `swift test` runs all suites in parallel in one process; a synchronous test waiting
/// for a child process, or a long fit, holds a pool thread for as long as it runs. On a
/// busy machine two of them held both threads of the 2-core CI machine for more than the
/// 10 s a raw test connection waits, and the pipelined-requests test failed with
/// "Connection timed out" although the server was working.
@Suite("test servers and a blocked cooperative pool")
struct BlockedPoolTests {
    /// Blocks the calling thread until `semaphore` is signalled.
    static func block(on semaphore: DispatchSemaphore) {
        semaphore.wait()
    }

    @Test("a server under test answers while every thread of the cooperative pool is blocked")
    func answersWhilePoolIsBlocked() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let server = try fixture.server()
        let body = try await GatewayPipelineTests.running(server) { port, _ in
            let width = ProcessInfo.processInfo.activeProcessorCount
            let release = DispatchSemaphore(value: 0)
            let blocked = Locked(0)
            for _ in 0..<width {
                Task.detached {
                    blocked.withLock { $0 += 1 }
                    Self.block(on: release)
                }
            }
            return try await LoopbackConnection.exchange(port: port) { connection in
                defer { for _ in 0..<width { release.signal() } }
                // Every pool thread is held before the request is sent.
                while blocked.withLock({ $0 }) < width { usleep(1_000) }
                try connection.write("GET /healthz HTTP/1.1\r\nHost: test\r\n\r\nGET /v1/forecast/24 HTTP/1.1\r\nHost: test\r\n\r\n")
                let health = try connection.readResponse()?.body ?? "(closed)"
                let forecast = try connection.readResponse()?.status ?? 0
                return "\(health) \(forecast)"
            }
        }
        #expect(body == #"{"status":"ok"} 200"#)
    }
}
