import ForecastConfiguration
import Foundation
import Locking
import Logging
import ModelFiles
import PluginBinding
import PluginProcesses

/// Holds the current ``ModelSet`` and swaps in a new one on reload, atomically.
///
/// Readers take the current snapshot with ``current``; a reload builds the next snapshot
/// off to the side and replaces the reference in one step. A reload that would make any
/// city (or route) that serves now stop serving is refused and the old snapshot stays.
///
/// Plugins isolated in workers get a fresh worker process per generation: a reload loads
/// the plugin library anew (a fixed `.so` replaces a broken one), while the old
/// generation's worker finishes the calls in flight and exits once its last request ends.
public final class ModelLibrary: Sendable {
    private let state: Locked<ModelSet>
    /// Serialises reloads so two never interleave.
    private let reloading = Locked(false)
    private let routes: [ForecastConfig.Route]
    private let plugins: [LoadedPlugin]
    private let repository: ModelRepository
    private let workerSettings: PluginWorker.Settings?
    private let isolation: [String: PluginIsolation]
    /// Conditions each loaded snapshot on the store's newer observations, when there is a store.
    private let conditioner: ModelConditioner?
    /// Held while a new snapshot is prepared from the current one and swapped in (a
    /// reload's conditioning and swap, or a re-conditioning), so no two overwrite each other.
    private let swapping = GuardLock(0)
    /// Worker counts per plugin name, across generations.
    public let workerStatistics: [String: WorkerStatistics]

    /// Loads generation 1 of the models for the plugin routes among `routes`.
    ///
    /// With `workerSettings`, every plugin runs in a worker unless `isolation` says
    /// in-process; without, every plugin runs in this process. With a `conditioner`, every
    /// snapshot is conditioned on the store's observations after its models' training end
    /// before it serves.
    public init(routes: [ForecastConfig.Route], plugins: [LoadedPlugin], repository: ModelRepository,
                workerSettings: PluginWorker.Settings? = nil, isolation: [String: PluginIsolation] = [:],
                conditioner: ModelConditioner? = nil) {
        self.conditioner = conditioner
        self.routes = routes
        self.plugins = plugins
        self.repository = repository
        self.workerSettings = workerSettings
        self.isolation = isolation
        var statistics: [String: WorkerStatistics] = [:]
        for plugin in plugins { statistics[plugin.name] = WorkerStatistics() }
        workerStatistics = statistics
        let loaded = ModelSet.load(generation: 1, routes: routes, plugins: plugins, repository: repository,
                                   workers: Self.workers(routes: routes, plugins: plugins, settings: workerSettings,
                                                         isolation: isolation, statistics: statistics))
        state = Locked(conditioner?.condition(loaded) ?? loaded)
    }

    /// Conditions the current models on the store's observations that arrived since they
    /// were last conditioned, and swaps the result in (a new data version; the generation
    /// stays). Blocks: call it off Swift's cooperative pool.
    ///
    /// - Returns: the snapshot now in use.
    @discardableResult
    public func recondition() -> ModelSet {
        guard let conditioner else { return current }
        return swapping.withLock { _ in
            let next = conditioner.condition(current)
            state.withLock { $0 = next }
            return next
        }
    }

    /// Where `plugin`'s calls run.
    public func isolation(of plugin: String) -> PluginIsolation {
        workerSettings == nil ? .inProcess : isolation[plugin] ?? .worker
    }

    /// New workers (no process yet) for the worker-isolated plugins some route uses.
    static func workers(routes: [ForecastConfig.Route], plugins: [LoadedPlugin], settings: PluginWorker.Settings?,
                        isolation: [String: PluginIsolation], statistics: [String: WorkerStatistics]) -> [String: PluginWorker] {
        guard let settings else { return [:] }
        var workers: [String: PluginWorker] = [:]
        for route in routes {
            guard case .plugin(let name) = route.target, workers[name] == nil, isolation[name] ?? .worker == .worker,
                  let plugin = plugins.first(where: { $0.name == name }) else { continue }
            workers[name] = PluginWorker(pluginName: name, path: plugin.path, settings: settings,
                                         statistics: statistics[name] ?? WorkerStatistics())
        }
        return workers
    }

    /// The snapshot to answer a request with.
    public var current: ModelSet { state.withLock { $0 } }

    /// Reads the model files again and swaps them in when nothing that serves now would break.
    ///
    /// - Returns: the snapshot now in use (the new one).
    /// - Throws: ``ReloadError`` when the reload is refused; the old models keep serving.
    @discardableResult
    public func reload() throws(ReloadError) -> ModelSet {
        let acquired = reloading.withLock { busy in
            if busy { return false }
            busy = true
            return true
        }
        guard acquired else { throw ReloadError(reasons: ["a reload is already running; try again when it finishes"]) }
        defer { reloading.withLock { $0 = false } }

        let old = current
        let next = ModelSet.load(generation: old.generation + 1, routes: routes, plugins: plugins, repository: repository,
                                 workers: Self.workers(routes: routes, plugins: plugins, settings: workerSettings,
                                                       isolation: isolation, statistics: workerStatistics))
        var reasons: [String] = []
        for (name, oldRoute) in old.routes.sorted(by: { $0.key < $1.key }) {
            guard let newRoute = next.routes[name] else { continue }
            for (slug, city) in oldRoute.cities.sorted(by: { $0.key < $1.key }) where newRoute.cities[slug] == nil {
                let why = newRoute.failures[slug] ?? "its model files are gone"
                reasons.append("/\(name) would stop serving \(city.city): \(why)")
            }
        }
        guard reasons.isEmpty else { throw ReloadError(reasons: reasons) }
        return swapping.withLock { _ in
            // Conditioned under the lock, so observations stored meanwhile are not missed.
            let conditioned = conditioner?.condition(next) ?? next
            state.withLock { $0 = conditioned }
            return conditioned
        }
    }
}

/// A reload that was refused, with why; the previous models still serve.
public struct ReloadError: Error, Sendable, CustomStringConvertible {
    /// One sentence per city or route that would have broken.
    public var reasons: [String]

    /// `reload refused: ...`.
    public var description: String {
        "reload refused, the previous models keep serving: " + reasons.joined(separator: "; ")
    }
}
