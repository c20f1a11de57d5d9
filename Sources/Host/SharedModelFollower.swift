import ForecastPipeline
import ForecastServer
import ForecastStore
import Foundation
import Logging
import ModelFiles

/// `forecast serve` with a PostgreSQL store: the host's model directory follows the
/// models published into the store (``SharedModels``), and a publish anywhere reloads this
/// host at once through `LISTEN forecast_models`.
///
/// A publish that brings new files reloads the server like SIGHUP does, so the reload
/// rules hold: a generation that would break a city serving now is refused and logged,
/// and the old models keep serving.
struct SharedModelFollower: Sendable {
    let url: String
    let repository: ModelRepository
    let store: PostgresModelStore
    let logger: Logger

    /// The follower for `url`, after bringing `repository` up to date from it; nil (with a
    /// warning) when the store cannot be read or has no models table yet (migration 4).
    static func start(url: String, repository: ModelRepository, logger: Logger) -> SharedModelFollower? {
        do {
            let store = try PostgresModelStore(url: url)
            let follower = SharedModelFollower(url: url, repository: repository, store: store, logger: logger)
            _ = try follower.sync()
            return follower
        } catch {
            logger.warning("shared models unavailable, serving the model files in \(repository.root) only: \(error)")
            return nil
        }
    }

    /// Copies the store's newest models into the model directory.
    func sync() throws -> SharedModels.Sync {
        let sync = try SharedModels.sync(from: store, into: repository)
        for refusal in sync.refused { logger.error("shared model refused: \(refusal)") }
        if !sync.written.isEmpty {
            logger.info("shared models: generation \(sync.generation), \(sync.written.count) file(s) updated, \(sync.unchanged) unchanged")
        }
        return sync
    }

    /// Copies the store's newest models and reloads `server` when a file changed; a refused
    /// reload (logged by `reload()`) puts the files it refused back as they were, so the
    /// model directory keeps matching what serves.
    func syncAndReload(_ server: ForecastServer) throws {
        let sync = try sync()
        guard !sync.written.isEmpty else { return }
        do {
            try server.reload()
        } catch {
            try SharedModels.restore(sync)
            logger.error("shared models: generation \(sync.generation) refused; the previous files are back in \(repository.root)")
        }
    }

    /// Listens for publishes and reloads `server` after each one that changed a file; the
    /// listener, to stop, or nil (with a warning: the host then serves what it has, and
    /// reloads on SIGHUP only) when it cannot listen.
    func follow(_ server: ForecastServer) -> PostgresModelListener? {
        do {
            return try listen(server)
        } catch {
            logger.warning("shared models: cannot listen for publishes, reloads come from SIGHUP only: \(error)")
            return nil
        }
    }

    private func listen(_ server: ForecastServer) throws -> PostgresModelListener {
        let listener = PostgresModelListener(url: url, onPublish: { _ in
            do {
                try syncAndReload(server)
            } catch {
                logger.error("shared models: \(error)")
            }
        }, onProblem: { problem in
            logger.warning("shared models: \(problem)")
        })
        try listener.start()
        // A publish between the first sync and the LISTEN would be missed: look once more.
        try syncAndReload(server)
        return listener
    }
}
