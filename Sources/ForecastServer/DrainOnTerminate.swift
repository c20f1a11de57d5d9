import Logging
import ServiceLifecycle
import UnixSignals

/// SIGTERM as a replica should take it: first leave the pool, then stop.
///
/// On SIGTERM the server starts draining (``ForecastServer/beginDraining()``): `/readyz`
/// answers 503 so that the gateways' health checks (once a second) and any load balancer
/// take this host out, while every request, new or in flight, is still served. After
/// `drain` the service returns, which shuts the group down gracefully: the listener closes,
/// requests in flight finish, and the process exits 0. SIGINT (a person's Ctrl-C) shuts down
/// at once, without the drain.
public struct DrainOnTerminate: Service {
    let server: ForecastServer
    let drain: Duration
    let signals: UnixSignalsSequence

    /// Traps SIGTERM now (before the server listens, so an early SIGTERM drains too).
    public static func make(server: ForecastServer, drain: Duration) async -> DrainOnTerminate {
        DrainOnTerminate(server: server, drain: drain, signals: await UnixSignalsSequence(trapping: .sigterm))
    }

    public func run() async throws {
        for await _ in signals.cancelOnGracefulShutdown() {
            server.beginDraining()
            server.logger.notice("SIGTERM: draining for \(drain): /readyz answers 503, requests are still served; then requests in flight finish and the server stops")
            try? await cancelWhenGracefulShutdown { [drain] in try await Task.sleep(for: drain) }
            server.logger.notice("drained: stopping (requests in flight finish first)")
            return
        }
    }

    /// Runs `application` until SIGINT, or SIGTERM and the drain.
    public static func run(_ application: some Service, server: ForecastServer, drain: Duration) async throws {
        let drainer = await make(server: server, drain: drain)
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: application),
                       .init(service: drainer, successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigint],
            logger: server.logger))
        try await group.run()
    }
}

extension ForecastServer {
    /// Whether the server is draining after SIGTERM (`/readyz` then answers 503).
    public var isDraining: Bool { draining.load(ordering: .relaxed) }

    /// Starts draining: `/readyz` answers 503 from now on; everything else is served as before.
    public func beginDraining() {
        draining.store(true, ordering: .relaxed)
    }
}
