import ServiceLifecycle
import UnixSignals

/// A service that reloads the server's models on every SIGHUP until graceful shutdown.
///
/// The signal is trapped when the service is made, before the server listens, so a
/// SIGHUP that arrives as soon as the port is open reloads instead of killing the process.
struct ReloadOnHangup: Service {
    let server: ForecastServer
    let signals: UnixSignalsSequence

    /// Traps SIGHUP now and returns the service that handles it.
    static func make(server: ForecastServer) async -> ReloadOnHangup {
        ReloadOnHangup(server: server, signals: await UnixSignalsSequence(trapping: .sighup))
    }

    func run() async throws {
        for await _ in signals.cancelOnGracefulShutdown() {
            // A refused reload is logged by `reload()`; the old models keep serving.
            _ = try? await server.reloadOffPool()
        }
    }
}
