import ForecastConfiguration
import ForecastVocabulary
import Foundation
import ModelFiles
import PluginBinding
import PluginProcesses

/// An immutable snapshot of every in-process route's models, stamped with a generation.
///
/// A request takes the current snapshot once and uses it to the end, so a reload that
/// swaps in a newer snapshot never changes the models under a request in flight. The
/// models of an old snapshot are released when its last request finishes.
public final class ModelSet: Sendable {
    /// Increases by one with every successful load; part of every cache key.
    public let generation: Int
    /// When the snapshot was built (Unix seconds).
    public let loadedAt: Int64
    /// In-process routes by name.
    public let routes: [String: RouteModels]
    /// Increases by one each time the models of this generation are conditioned on newer
    /// observations (``ModelConditioner``); part of every cache key, with the generation.
    public let dataVersion: Int

    /// Creates a snapshot.
    public init(generation: Int, loadedAt: Int64, routes: [String: RouteModels], dataVersion: Int = 0) {
        self.generation = generation
        self.loadedAt = loadedAt
        self.routes = routes
        self.dataVersion = dataVersion
    }

    /// Whether every in-process route has models for at least one city.
    public var isReady: Bool { routes.values.allSatisfy(\.isReady) }

    /// Loads the newest model files of every plugin route in `routes` from `repository`.
    ///
    /// Never throws: what cannot be loaded is recorded per route and per city, so one bad
    /// file takes down only the city (or route) it belongs to.
    ///
    /// A plugin with an entry in `workers` has its models loaded (and checked) in that
    /// worker; the others in this process. Every model passes ``ModelCheck`` or counts as
    /// a city that failed to load.
    public static func load(generation: Int, routes: [ForecastConfig.Route], plugins: [LoadedPlugin],
                            repository: ModelRepository, workers: [String: PluginWorker] = [:]) -> ModelSet {
        var result: [String: RouteModels] = [:]
        // Several routes may share one plugin: load its files once.
        var byPlugin: [String: (cities: [String: CityModels], failures: [String: String])] = [:]
        for route in routes {
            guard case .plugin(let name) = route.target else { continue }
            guard let plugin = plugins.first(where: { $0.name == name }) else {
                let known = plugins.map(\.name).sorted().joined(separator: ", ")
                result[route.name] = RouteModels(
                    route: route.name, pluginName: name, plugin: nil, cities: [:], failures: [:],
                    problem: "plugin '\(name)' is not loaded (loaded: \(known.isEmpty ? "none" : known))")
                continue
            }
            let worker = workers[name]
            let loaded = byPlugin[name] ?? loadPlugin(plugin, repository: repository, worker: worker)
            byPlugin[name] = loaded
            var problem: String?
            if loaded.cities.isEmpty {
                if loaded.failures.isEmpty {
                    problem = "no model files for plugin '\(name)' under \(repository.root)/\(name) (run `forecast train --plugin \(name)`)"
                } else {
                    let details = loaded.failures.keys.sorted().map { loaded.failures[$0]! }.joined(separator: "; ")
                    problem = "no usable models for plugin '\(name)': \(details)"
                }
            }
            var routeModels = RouteModels(route: route.name, pluginName: name, plugin: plugin,
                                          cities: loaded.cities, failures: loaded.failures, problem: problem)
            routeModels.worker = worker
            result[route.name] = routeModels
        }
        return ModelSet(generation: generation, loadedAt: Int64(Date().timeIntervalSince1970), routes: result)
    }

    /// Loads every city directory of `plugin` in the repository.
    static func loadPlugin(_ plugin: LoadedPlugin, repository: ModelRepository, worker: PluginWorker?)
        -> (cities: [String: CityModels], failures: [String: String]) {
        let directory = "\(repository.root)/\(plugin.name)"
        let slugs = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { !$0.hasPrefix(".") }.sorted()
        var cities: [String: CityModels] = [:]
        var failures: [String: String] = [:]
        for slug in slugs {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: "\(directory)/\(slug)", isDirectory: &isDirectory),
                  isDirectory.boolValue else { continue }
            do {
                cities[slug] = try loadCity(plugin: plugin, directory: "\(directory)/\(slug)", worker: worker)
            } catch {
                failures[slug] = error.message
            }
        }
        return (cities, failures)
    }

    /// Reads, verifies and loads the models in `directory`: one per variable whose
    /// `<variable>.model` is there (any subset of the variable table; at least one).
    static func loadCity(plugin: LoadedPlugin, directory: String, worker: PluginWorker?) throws(ModelLoadFailure) -> CityModels {
        var models: [Variable: VariableModel] = [:]
        for variable in Variable.allCases {
            let path = "\(directory)/\(variable.name).model"
            guard FileManager.default.fileExists(atPath: path) else { continue }
            models[variable] = try loadVariable(plugin: plugin, path: path, variable: variable.name, worker: worker)
        }
        guard let first = Variable.allCases.first(where: { models[$0] != nil }) else {
            // What a missing model has always said, for the variables trained by default.
            let path = "\(directory)/\(Variable.defaults[0].name).model"
            _ = try loadVariable(plugin: plugin, path: path, variable: Variable.defaults[0].name, worker: worker)
            throw ModelLoadFailure(message: "\(directory): no model files")
        }
        let reference = models[first]!.manifest
        guard reference.stepSeconds > 0 else {
            throw ModelLoadFailure(message: "\(directory): the models have a step of \(reference.stepSeconds) seconds")
        }
        for variable in Variable.allCases where variable != first {
            guard let other = models[variable]?.manifest else { continue }
            guard other.city == reference.city else {
                throw ModelLoadFailure(message: "\(directory): the \(first.name) model is for '\(reference.city)' but the \(variable.name) model for '\(other.city)'")
            }
            guard other.stepSeconds == reference.stepSeconds else {
                throw ModelLoadFailure(message: "\(directory): the \(first.name) and \(variable.name) models have different steps (\(reference.stepSeconds) s and \(other.stepSeconds) s)")
            }
            // The models may end at different hours (one column's tail missing); the one that
            // ends earlier forecasts the gap. More than a week apart is stale data, not a gap.
            let gap = abs(reference.lastTime - other.lastTime)
            guard gap % reference.stepSeconds == 0, gap <= CityModels.maximumLeadHours * 3600 else {
                throw ModelLoadFailure(message: "\(directory): the \(first.name) and \(variable.name) models end too far apart (\(ISOTime.format(reference.lastTime)) and \(ISOTime.format(other.lastTime)); at most \(CityModels.maximumLeadHours) h); train both on the same data")
            }
        }
        return CityModels(city: reference.city, models: models)
    }

    static func loadVariable(plugin: LoadedPlugin, path: String, variable: String,
                             worker: PluginWorker?) throws(ModelLoadFailure) -> VariableModel {
        let file: ModelFile
        do {
            file = try ModelRepository.read(path: path, plugin: plugin.name, variable: variable,
                                            missing: "missing (train it with `forecast train --plugin \(plugin.name)`)")
        } catch {
            throw ModelLoadFailure(message: error.description)
        }
        let model: ServedModel
        do throws(WorkerError) {
            if let worker {
                model = .worker(try worker.loadModel(file.blob))
            } else {
                do throws(PluginCallError) {
                    model = .inProcess(try plugin.loadModel(file.blob))
                } catch {
                    throw WorkerError.plugin(error)
                }
            }
        } catch {
            throw ModelLoadFailure(message: "\(path): \(error)")
        }
        try ModelCheck.verify(model, variable: variable, path: path)
        return VariableModel(model: model, manifest: file.manifest, summaryJSON: objectJSON(file.manifest.summary),
                             optionsJSON: objectJSON(file.manifest.options))
    }

    /// `text` when it parses as a JSON object, else `{}` (so it can be embedded verbatim).
    static func objectJSON(_ text: String) -> String {
        let parsed = try? JSONSerialization.jsonObject(with: Data(text.utf8))
        return parsed is [String: Any] ? text : "{}"
    }
}

/// Why one city's models could not be loaded.
struct ModelLoadFailure: Error {
    /// Path and reason.
    var message: String
}
