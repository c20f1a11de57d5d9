import Dispatch
import ForecastStore
import Locking
import Logging
import PluginBinding
import PluginProcesses

/// Brings served models up to the store's newest observations without refitting: each
/// model is conditioned (the ABI's `condition`) on the hours after the last one it has
/// seen, so a forecast starts at the hour after the latest observation.
///
/// Conditioning keeps a model's parameters and only moves its state forward (ARIMA's
/// Kalman filter, AutoReg's lags, the seasonal-naive cycle), which costs a pass over the
/// new hours instead of a fit. Missing hours: a plugin that accepts missing values gets
/// them as NaN, up to the variable's latest observation; any other plugin is conditioned
/// on the unbroken stretch that follows its last hour and stops at the first missing
/// hour (the ABI wants the new series to start one step after the model's end, so a
/// later stretch cannot be used), until the gap is filled. A plugin without `condition`
/// forecasts from its training end, as before.
public struct ModelConditioner: Sendable {
    /// Where the observations come from.
    public let store: any ObservationStore
    /// Where failures are logged.
    public let logger: Logger

    /// A conditioner reading `store`.
    public init(store: any ObservationStore, logger: Logger = Logger(label: "forecast.condition")) {
        self.store = store
        self.logger = logger
    }

    /// `models` with every model brought up to the store's newest observations, as a new
    /// snapshot of the same generation and the next data version; `models` itself when
    /// nothing changed. Blocks (store reads, plugin calls): never call it from a request task.
    public func condition(_ models: ModelSet) -> ModelSet {
        // Routes that serve the same plugin share its models (one load): condition them once.
        var byPlugin: [String: RouteModels] = [:]
        for (_, route) in models.routes.sorted(by: { $0.key < $1.key }) where route.plugin != nil && byPlugin[route.pluginName] == nil {
            byPlugin[route.pluginName] = route
        }
        // One store read per city, from the earliest hour any of its models lacks.
        var earliest: [String: Int64] = [:]
        for route in byPlugin.values {
            for pair in route.cities.values {
                let after = pair.earliestObserved
                earliest[pair.city] = min(earliest[pair.city] ?? after, after)
            }
        }
        var observations: [String: CitySeries] = [:]
        for (city, after) in earliest {
            do {
                observations[city] = try store.series(city: city, from: after + 3600, to: nil)
            } catch {
                logger.warning("cannot read the observations of \(city) to condition the models: \(error)")
            }
        }
        // Each plugin's calls go to its own worker (or run in-process): condition the
        // plugins side by side.
        let plugins = byPlugin.keys.sorted().map { byPlugin[$0]! }
        let rows = observations
        let results = Locked([String: [String: CityModels]]())
        DispatchQueue.concurrentPerform(iterations: plugins.count) { index in
            let route = plugins[index]
            let changed = conditionCities(of: route, observations: rows)
            if !changed.isEmpty { results.withLock { $0[route.pluginName] = changed } }
        }
        let conditioned = results.withLock { $0 }
        guard !conditioned.isEmpty else { return models }
        var routes = models.routes
        for (name, route) in models.routes {
            guard let changed = conditioned[route.pluginName] else { continue }
            var next = RouteModels(route: route.route, pluginName: route.pluginName, plugin: route.plugin,
                                   cities: route.cities.merging(changed) { _, new in new }, failures: route.failures,
                                   problem: route.problem)
            next.worker = route.worker
            routes[name] = next
        }
        return ModelSet(generation: models.generation, loadedAt: models.loadedAt, routes: routes,
                        dataVersion: models.dataVersion + 1)
    }

    /// The cities of `route` whose models changed, by slug, conditioned on `observations`.
    private func conditionCities(of route: RouteModels, observations: [String: CitySeries]) -> [String: CityModels] {
        guard let plugin = route.plugin else { return [:] }
        var changed: [String: CityModels] = [:]
        for (slug, pair) in route.cities {
            let after = pair.earliestObserved
            guard let stored = observations[pair.city] else { continue }
            // The hours after this pair's newest observation that hold a value.
            let newer = (0..<stored.hours).filter { stored.time(at: $0) > after && stored.hasValue(at: $0) }
            guard !newer.isEmpty else { continue }
            var models: [Variable: VariableModel] = [:]
            var anyChanged = false
            for (variable, model) in pair.models {
                let conditioned = condition(model, plugin: plugin, city: pair.city, variable: variable.name,
                                            values: newer.map { (stored.time(at: $0), stored.value(variable, at: $0)) })
                if conditioned != nil { anyChanged = true }
                models[variable] = conditioned ?? model
            }
            guard anyChanged else { continue }
            changed[slug] = CityModels(city: pair.city, models: models)
        }
        return changed
    }

    /// The series that continues `model` from the hour after its last one, out of
    /// `values` (hours after some earlier time, oldest first; nil where not observed),
    /// or nil when there is nothing new to condition on.
    public static func continuation(after last: Int64, step: Int64, values: [(Int64, Double?)],
                                    acceptsMissingValues: Bool) -> TimeSeries? {
        let start = last + step
        var observed: [Int64: Double] = [:]
        var newest: Int64?
        for (time, value) in values where time >= start {
            guard let value, (time - start) % step == 0 else { continue }
            observed[time] = value
            newest = max(newest ?? time, time)
        }
        guard let newest else { return nil }
        var series: [Double] = []
        series.reserveCapacity(Int((newest - start) / step) + 1)
        var time = start
        while time <= newest {
            if let value = observed[time] {
                series.append(value)
            } else if acceptsMissingValues {
                series.append(.nan)
            } else {
                break
            }
            time += step
        }
        return series.isEmpty ? nil : TimeSeries(values: series, startTime: start, stepSeconds: step)
    }

    /// `variable` conditioned on what `values` holds after its last hour, or nil when it
    /// stays as it is (nothing new; the plugin cannot condition, which it says, or failed,
    /// which is logged and recorded in the model's ``VariableModel/conditionProblem``).
    private func condition(_ model: VariableModel, plugin: LoadedPlugin, city: String, variable: String,
                           values: [(Int64, Double?)]) -> VariableModel? {
        guard let series = Self.continuation(after: model.lastTime, step: model.manifest.stepSeconds, values: values,
                                             acceptsMissingValues: plugin.acceptsMissingValues) else { return nil }
        var next = model
        guard plugin.supportsConditioning else {
            let problem = "plugin \(plugin.name) does not offer condition, so it forecasts from its training end"
            if model.conditionProblem == problem { return nil }
            next.conditionProblem = problem
            return next
        }
        do throws(WorkerError) {
            next.model = try model.model.conditionedNow(on: series)
            next.conditionedThrough = series.lastTime
            next.conditionProblem = nil
        } catch {
            let problem = "conditioning on \(series.count) h from \(ISOTime.format(series.startTime)) failed: \(error)"
            logger.warning("\(plugin.name) \(city) \(variable): \(problem); it keeps forecasting from \(ISOTime.format(model.lastTime))")
            if model.conditionProblem == problem { return nil }
            next.conditionProblem = problem
        }
        return next
    }
}
