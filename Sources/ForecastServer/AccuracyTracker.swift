import ForecastVocabulary
import Dispatch
import ForecastConfiguration
import ForecastStore
import Foundation
import Locking
import Logging
import ModelFiles
import PluginBinding
import PluginProcesses

/// Scores the forecasts the service issues against the observations that arrive later.
///
/// Whenever the served models move to a new last observed hour T for a plugin and city
/// (at load, at reload, after a `POST /observations` that re-conditioned them), the
/// forecast the service would issue at origin T is recorded once: 72 hours of mean and
/// 95% interval, in the unit the store keeps (kelvin, percent). As the observations of
/// those hours arrive, each (origin, lead) is scored once: absolute and squared error, and
/// whether the observation fell inside the interval (interpolated values in the store do
/// not count: their hours wait for a measurement); a scored lead is dropped from the
/// forecast, and the forecast once no lead waits. Skill compares the absolute errors with
/// the baseline route's (the one serving `seasonal-naive`) on the same city, variable,
/// origin and lead, paired when both are scored (in the same update: every route records
/// and scores from the same observations). Posted series are never recorded: only served
/// models.
///
/// Every route serving a plugin serves the same models (one file per plugin, city and
/// variable), so the forecasts are recorded and scored once per plugin and each route
/// answers with its plugin's scores.
///
/// Storage is bounded: the sums are kept per UTC day of origin, per band (1-24, 25-48,
/// 49-72 h) and per lead (count and absolute error, for MAE by lead time), for the last
/// ``windowDays`` days of each series (the day of the newest origin included: between
/// 313 and 336 origins), so old origins leave the averages a day at a time, and a
/// forecast still waiting is dropped when its origin's day leaves the window.
///
/// The state is saved atomically (temp file and rename) to `path` in ``AccuracyFile``'s
/// binary format after every batch of updates that changed it and read back at start,
/// so a restart keeps the scores; a damaged file is set aside. A work directory that
/// still has the first format's `accuracy.json` is converted once.
public final class AccuracyTracker: Sendable {
    /// The leads recorded per origin, in hours.
    public static let horizon = 72
    /// Lead bands, in hours: 1-24, 25-48, 49-72.
    public static let bands = ["1-24", "25-48", "49-72"]
    /// The interval level scored.
    public static let level = 0.95
    /// How many UTC days of origins each series keeps scores for, the newest origin's day
    /// included.
    public static let windowDays: Int64 = 14
    /// The most origins (hours) the window holds: 14 days.
    public static let windowOrigins: Int64 = windowDays * 24

    /// Where the state is saved, or nil to keep it in memory only.
    public let path: String?
    /// The route whose errors skill is measured against, if any.
    public let baselineRoute: String?
    /// The plugin that route serves.
    let baselinePlugin: String?
    private let logger: Logger
    private let state: Locked<AccuracyRecord>
    /// Serialises updates (forecasting, scoring and saving), so none interleave.
    private let updating = GuardLock(0)
    /// Runs the enqueued updates, one at a time.
    private let queue = DispatchQueue(label: "forecast.accuracy")
    /// Updates enqueued and not yet started.
    private let waiting = Locked(0)
    /// Whether the state has changes the file does not hold yet.
    private let unsaved = Locked(false)

    /// A tracker for `routes` saving to `path`, loading what an earlier run saved there (or
    /// converting the first format's file at `legacyPath` when `path` does not exist yet).
    public init(path: String?, legacyPath: String? = nil, routes: [ForecastConfig.Route],
                logger: Logger = Logger(label: "forecast.accuracy")) {
        self.path = path
        var routePlugins: [String: String] = [:]
        for route in routes { if case .plugin(let plugin) = route.target { routePlugins[route.name] = plugin } }
        baselineRoute = Self.baseline(in: routes)
        baselinePlugin = baselineRoute.flatMap { routePlugins[$0] }
        self.logger = logger
        let (record, converted) = Self.load(path: path, legacyPath: legacyPath, routePlugins: routePlugins, logger: logger)
        state = Locked(record)
        if converted {
            save(record)
            if let legacyPath, let path, FileManager.default.fileExists(atPath: path) {
                try? FileManager.default.removeItem(atPath: legacyPath)
                logger.notice("converted the accuracy scores of \(legacyPath) to \(path)")
            }
        }
    }

    /// The route skill is measured against: `/baseline` when it serves a plugin, else the
    /// first route (by name) serving the `seasonal-naive` plugin, else none.
    public static func baseline(in routes: [ForecastConfig.Route]) -> String? {
        let plugin = routes.filter { if case .plugin = $0.target { return true } else { return false } }
        if plugin.contains(where: { $0.name == "baseline" }) { return "baseline" }
        return plugin.sorted { $0.name < $1.name }
            .first { if case .plugin("seasonal-naive") = $0.target { return true } else { return false } }?.name
    }

    /// Days since 1970-01-01 UTC of `time` (Unix seconds).
    static func day(of time: Int64) -> Int64 {
        time >= 0 ? time / 86_400 : (time - 86_399) / 86_400
    }

    /// Records the forecasts of every new origin in `models` and scores what `store`
    /// now holds for the hours already forecast; saves when anything changed (or, with
    /// `save` false, leaves the file to a later update). Blocks (plugin calls, store
    /// reads, a file write): never call it from a request task.
    public func update(models: ModelSet, store: (any ObservationStore)?, save: Bool = true) {
        updating.withLock { _ in
            var record = state.withLock { $0 }
            var changed = recordOrigins(models, into: &record)
            if let store { changed = score(&record, store: store) || changed }
            if changed { state.withLock { $0 = record } }
            unsaved.withLock { $0 = $0 || changed }
            guard save, unsaved.withLock({ $0 }) else { return }
            self.save(record)
            unsaved.withLock { $0 = false }
        }
    }

    /// ``update(models:store:save:)`` on the tracker's own queue, so the caller (a
    /// `POST /observations`) does not wait for the forecasts, the scoring or the file.
    /// Updates run in the order given, each with the snapshot it was given, so every
    /// origin is recorded with the models that served it; when several wait, only the
    /// last one writes the file.
    public func enqueue(models: ModelSet, store: (any ObservationStore)?) {
        waiting.withLock { $0 += 1 }
        queue.async {
            let last = self.waiting.withLock { count in
                count -= 1
                return count == 0
            }
            self.update(models: models, store: store, save: last)
        }
    }

    /// Returns once every update enqueued so far has run (and saved).
    public func settled() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.async { continuation.resume() }
        }
    }

    /// The current state.
    var snapshot: AccuracyRecord { state.withLock { $0 } }

    // MARK: Recording

    private func recordOrigins(_ models: ModelSet, into record: inout AccuracyRecord) -> Bool {
        var index: [String: Int] = [:]
        for (position, series) in record.series.enumerated() { index[Self.key(series.plugin, series.city, series.variable)] = position }
        var changed = false
        var plugins: Set<String> = []
        // Each plugin once: its routes serve the same models.
        for (name, route) in models.routes.sorted(by: { $0.key < $1.key }) where route.plugin != nil {
            guard plugins.insert(route.pluginName).inserted else { continue }
            for pair in route.sortedCities {
                let origin = pair.lastObserved
                for (variable, model) in pair.models.map({ ($0.variable, $0.model) }) {
                    let key = Self.key(route.pluginName, pair.city, variable.name)
                    if let position = index[key], record.series[position].latestOrigin >= origin { continue }
                    guard let forecast = issue(model, lead: pair.leadSteps(model), variable: variable, route: name, city: pair.city,
                                               origin: origin) else { continue }
                    if index[key] == nil {
                        record.series.append(AccuracySeries(plugin: route.pluginName, city: pair.city, variable: variable.name, latestOrigin: origin))
                        index[key] = record.series.count - 1
                    }
                    let position = index[key]!
                    record.series[position].latestOrigin = origin
                    record.series[position].pending.append(forecast)
                    let firstDay = Self.day(of: origin) - Self.windowDays + 1
                    record.series[position].pending.removeAll { Self.day(of: $0.origin) < firstDay }
                    record.series[position].days.removeAll { $0.day < firstDay }
                    changed = true
                }
            }
        }
        return changed
    }

    /// The forecast the service issues at `origin` for `variable`, as ``ForecastBody`` computes it (in the
    /// stored unit, kept within the variable's ``Variable/answerBounds``), or nil when the model cannot
    /// forecast now (logged).
    private func issue(_ model: VariableModel, lead: Int, variable: Variable, route: String, city: String,
                       origin: Int64) -> PendingForecast? {
        let output: ForecastOutput
        do throws(WorkerError) {
            output = try model.model.forecastNow(horizon: lead + Self.horizon, level: Self.level)
        } catch {
            logger.warning("/\(route) \(city) \(variable.name): no forecast recorded for accuracy at \(ISOTime.format(origin)): \(error)")
            return nil
        }
        let bounds = variable.answerBounds
        let clamp: (Double) -> Double = { value in bounds.map { min(max(value, $0.lowerBound), $0.upperBound) } ?? value }
        let mean = output.mean.dropFirst(lead).prefix(Self.horizon).map(clamp)
        let lower = output.lower.dropFirst(lead).prefix(Self.horizon).map(clamp)
        let upper = output.upper.dropFirst(lead).prefix(Self.horizon).map(clamp)
        guard mean.count == Self.horizon, lower.count == Self.horizon, upper.count == Self.horizon,
              (mean + lower + upper).allSatisfy(\.isFinite) else {
            logger.warning("/\(route) \(city) \(variable.name): the forecast at \(ISOTime.format(origin)) is not \(Self.horizon) finite hours; not recorded for accuracy")
            return nil
        }
        return PendingForecast(origin: origin, leads: (0..<Self.horizon).map { UInt8($0) }, mean: mean.map { Float($0) },
                               lower: lower.map { Float($0) }, upper: upper.map { Float($0) })
    }

    // MARK: Scoring

    /// One lead scored in this update: on which series, at which origin and lead, and its error.
    private struct Scored {
        var position: Int
        var origin: Int64
        var lead: Int
        var error: Double
    }

    /// Where a baseline error is looked up: city, variable, origin and lead.
    private struct PairKey: Hashable {
        var city: String
        var variable: String
        var origin: Int64
        var lead: Int
    }

    private func score(_ record: inout AccuracyRecord, store: any ObservationStore) -> Bool {
        var earliest: [String: Int64] = [:]
        for series in record.series {
            for forecast in series.pending { earliest[series.city] = min(earliest[series.city] ?? forecast.origin, forecast.origin) }
        }
        var observed: [String: CitySeries] = [:]
        for (city, origin) in earliest {
            do {
                let from = origin + 3600, to = origin + Self.windowOrigins * 3600 + Int64(Self.horizon) * 3600
                observed[city] = try store.series(city: city, from: from, to: to)
            } catch {
                logger.warning("cannot read the observations of \(city) to score the forecasts: \(error)")
            }
        }
        var scored: [Scored] = []
        var baselineErrors: [PairKey: Double] = [:]
        for position in record.series.indices {
            let series = record.series[position]
            guard let stored = observed[series.city] else { continue }
            // Interpolated values are not observations: such an hour waits for a measurement.
            guard let variable = Variable(named: series.variable) else { continue }
            let bit = variable.imputedBit
            for slot in series.pending.indices {
                let forecast = series.pending[slot]
                var done: Set<Int> = []
                for (index, lead) in forecast.leads.enumerated() {
                    let time = forecast.origin + Int64(lead + 1) * 3600
                    guard let hour = stored.index(of: time), let value = stored.value(variable, at: hour),
                          value.isFinite, stored.imputedMarks(at: hour) & bit == 0 else { continue }
                    let error = Double(forecast.mean[index]) - value
                    let inside = value >= Double(forecast.lower[index]) && value <= Double(forecast.upper[index])
                    add(error: error, inside: inside, origin: forecast.origin, lead: Int(lead), to: &record.series[position])
                    scored.append(Scored(position: position, origin: forecast.origin, lead: Int(lead), error: error))
                    if series.plugin == baselinePlugin {
                        baselineErrors[PairKey(city: series.city, variable: series.variable, origin: forecast.origin, lead: Int(lead))] = error
                    }
                    done.insert(index)
                }
                record.series[position].pending[slot].remove(done)
            }
            record.series[position].pending.removeAll { $0.leads.isEmpty }
        }
        // Skill: the leads scored both here and on the baseline, for the same city, variable, origin and lead.
        for lead in scored {
            let series = record.series[lead.position]
            guard let theirs = baselineErrors[PairKey(city: series.city, variable: series.variable, origin: lead.origin, lead: lead.lead)],
                  let day = record.series[lead.position].days.lastIndex(where: { $0.day == Self.day(of: lead.origin) }) else { continue }
            record.series[lead.position].days[day].bands[lead.lead / 24].pairedCount += 1
            record.series[lead.position].days[day].bands[lead.lead / 24].pairedAbsolute += abs(lead.error)
            record.series[lead.position].days[day].bands[lead.lead / 24].pairedBaselineAbsolute += abs(theirs)
        }
        return !scored.isEmpty
    }

    /// Adds one scored lead to the sums of its origin's day (created in order when new).
    private func add(error: Double, inside: Bool, origin: Int64, lead: Int, to series: inout AccuracySeries) {
        let day = Self.day(of: origin)
        let index: Int
        if let found = series.days.lastIndex(where: { $0.day == day }) {
            index = found
        } else {
            index = series.days.firstIndex { $0.day > day } ?? series.days.count
            series.days.insert(DayScores(day: day), at: index)
        }
        let band = lead / 24
        series.days[index].bands[band].count += 1
        series.days[index].bands[band].absolute += abs(error)
        series.days[index].bands[band].squares += error * error
        if inside { series.days[index].bands[band].inside += 1 }
        series.days[index].leadCount[lead] &+= 1
        series.days[index].leadAbsolute[lead] += abs(error)
    }

    // MARK: Reading

    /// The sums of every band over the window, for the routes serving `plugin` (and the
    /// city named `city`, by name or slug, when given), keyed by city name then variable.
    func totals(plugin: String, city: String?) -> [String: [String: [BandSums]]] {
        let slug = city.map(CityName.slug)
        var result: [String: [String: [BandSums]]] = [:]
        for series in snapshot.series where series.plugin == plugin {
            if let slug, CityName.slug(series.city) != slug { continue }
            var total = Array(repeating: BandSums(), count: Self.bands.count)
            for day in series.days {
                for band in day.bands.indices where band < total.count { total[band].add(day.bands[band]) }
            }
            result[series.city, default: [:]][series.variable] = total
        }
        return result
    }

    /// MAE by lead time over the window per plugin and variable: every city pooled, or the
    /// city named `city` (by name or slug) alone.
    func leadErrors(city: String?) -> [String: [String: LeadErrors]] {
        let slug = city.map(CityName.slug)
        var result: [String: [String: LeadErrors]] = [:]
        for series in snapshot.series {
            if let slug, CityName.slug(series.city) != slug { continue }
            var errors = result[series.plugin, default: [:]][series.variable] ?? LeadErrors()
            for day in series.days { errors.add(day) }
            result[series.plugin, default: [:]][series.variable] = errors
        }
        return result
    }

    // MARK: Persistence

    private static func key(_ parts: String...) -> String { parts.joined(separator: "\u{0}") }

    private func save(_ record: AccuracyRecord) {
        guard let path else { return }
        do {
            let temporary = path + ".tmp"
            try Data(AccuracyFile.encode(record)).write(to: URL(fileURLWithPath: temporary))
            if rename(temporary, path) != 0 {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path, NSLocalizedDescriptionKey: String(cString: strerror(errno))])
            }
        } catch {
            logger.warning("cannot save the accuracy scores to \(path): \(error); they are kept in memory")
        }
    }

    /// What `path` holds (or the first format's `legacyPath`, converted: then `true`);
    /// empty when there is neither, and empty with the file moved aside (logged) when it
    /// cannot be read.
    private static func load(path: String?, legacyPath: String?, routePlugins: [String: String], logger: Logger) -> (AccuracyRecord, Bool) {
        guard let path else { return (AccuracyRecord(), false) }
        let manager = FileManager.default
        if !manager.fileExists(atPath: path), let legacyPath, manager.fileExists(atPath: legacyPath) {
            do {
                let legacy = try JSONDecoder().decode(AccuracyLegacyRecord.self, from: Data(contentsOf: URL(fileURLWithPath: legacyPath)))
                guard legacy.version == 1 else { throw AccuracyFile.Damaged(description: "format version \(legacy.version)") }
                return (legacy.converted(routePlugins: routePlugins), true)
            } catch {
                setAside(legacyPath, error, logger: logger)
                return (AccuracyRecord(), false)
            }
        }
        guard manager.fileExists(atPath: path) else { return (AccuracyRecord(), false) }
        do {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            return (try AccuracyFile.decode(bytes), false)
        } catch {
            setAside(path, error, logger: logger)
            return (AccuracyRecord(), false)
        }
    }

    private static func setAside(_ path: String, _ error: any Error, logger: Logger) {
        let aside = path + ".damaged-\(Int64(Date().timeIntervalSince1970))"
        try? FileManager.default.moveItem(atPath: path, toPath: aside)
        logger.warning("the accuracy file \(path) cannot be read (\(error)); moved to \(aside), scoring starts afresh")
    }
}
