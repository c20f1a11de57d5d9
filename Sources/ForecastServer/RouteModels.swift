import PluginBinding
import PluginProcesses

/// The state of one in-process route in a ``ModelSet``: the plugin and, per city, its
/// models or the reason they could not be loaded.
public struct RouteModels: Sendable {
    /// The route's path segment.
    public let route: String
    /// The plugin name the route is configured with.
    public let pluginName: String
    /// The loaded plugin, or nil when no plugin of that name was found.
    public let plugin: LoadedPlugin?
    /// Loaded cities by slug (`san-francisco`).
    public let cities: [String: CityModels]
    /// Cities (by slug) whose files exist but failed to read, verify or load, with why.
    public let failures: [String: String]
    /// Why the route has no models at all (nil when at least one city loaded).
    public let problem: String?
    /// The worker running the plugin's calls, or nil when they run in this process.
    public var worker: PluginWorker? = nil

    /// Why the route cannot answer now although its models loaded: its worker is down.
    public var workerProblem: String? {
        worker?.unavailableReason.map { "the worker of plugin '\(pluginName)' is down: \($0)" }
    }

    /// Whether the route has models for at least one city. (Its worker may still be down
    /// for a restart: see ``workerProblem``.)
    public var isReady: Bool { !cities.isEmpty }

    /// The loaded cities, sorted by name.
    public var sortedCities: [CityModels] { cities.values.sorted { $0.city < $1.city } }
}
