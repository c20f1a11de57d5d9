import ForecastConfiguration
import ForecastStore
import ModelFiles
import PluginBinding
import PluginProcesses

/// Everything `forecast serve` needs, resolved: address, routes, plugins, models, store.
public struct ServerConfiguration: Sendable {
    /// Address to bind, e.g. `127.0.0.1` or `0.0.0.0`.
    public var host: String
    /// Port to bind; 0 picks a free one (reported once listening).
    public var port: Int
    /// plugins.json as read.
    public var config: ForecastConfig
    /// The plugins loaded at start (never unloaded).
    public var plugins: [LoadedPlugin]
    /// Where model files are read from.
    public var repository: ModelRepository
    /// The observation store for the page, or nil when none could be opened.
    public var store: (any ObservationStore)?
    /// Why the store is unavailable, shown on the page when `store` is nil.
    public var storeProblem: String?
    /// Most forecast bodies kept in the cache.
    public var cacheCapacity: Int
    /// How plugin workers are started and limited; nil runs every plugin in this process
    /// (embedding and tests). `forecast serve` sets it, so plugins run in workers unless
    /// plugins.json says `"isolation": "in-process"`.
    public var workerSettings: PluginWorker.Settings?
    /// The bearer token every write endpoint requires; nil starts the server read-only
    /// (see ``WriteAuthorization``). With a token, `store` must be writable.
    public var writeToken: String? = nil
    /// The largest request body accepted, in bytes (`POST /observations`); longer is 413.
    public var maximumRequestBytes = 4 << 20
    /// The limits on `POST /{route}/forecast` (series sent by the caller).
    public var seriesLimits = SeriesLimits()

    /// Creates a configuration.
    public init(host: String = "127.0.0.1", port: Int = 8080, config: ForecastConfig, plugins: [LoadedPlugin],
                repository: ModelRepository, store: (any ObservationStore)? = nil, storeProblem: String? = nil,
                cacheCapacity: Int = 4096, workerSettings: PluginWorker.Settings? = nil) {
        self.host = host
        self.port = port
        self.config = config
        self.plugins = plugins
        self.repository = repository
        self.store = store
        self.storeProblem = storeProblem
        self.cacheCapacity = cacheCapacity
        self.workerSettings = workerSettings
    }

    /// The routes served: the configured ones plus `/<plugin name>` for every loaded plugin.
    public var routes: [ForecastConfig.Route] {
        config.effectiveRoutes(pluginNames: plugins.map(\.name))
    }
}
