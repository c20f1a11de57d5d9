import ServiceLifecycle
import UnixSignals

/// A service that reloads the server's models on every SIGHUP until graceful shutdown.
struct ReloadOnHangup: Service {
    let server: ForecastServer

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            // A refused reload is logged by `reload()`; the old models keep serving.
            _ = try? server.reload()
        }
    }
}
