import Dispatch
import Foundation
import ForecastStore
import Locking
import Logging
import PluginHost

/// Scores the forecasts the service issues against the observations that arrive later.
///
/// Whenever the served models move to a new last observed hour T for a route and city
/// (at load, at reload, after a `POST /observations` that re-conditioned them), the
/// forecast the service would issue at origin T is recorded once: 72 hours of mean and
/// 95% interval, in the unit the store keeps (kelvin, percent). As the observations of
/// those hours arrive, each (origin, lead) is scored once: absolute and squared error, and
/// whether the observation fell inside the interval (interpolated values in the store do
/// not count: their hours wait for a measurement). The sums are kept per origin and
/// band (1-24, 25-48, 49-72 h) for the last ``windowOrigins`` origins of each series, so
/// storage stays bounded and old origins leave the averages. Skill compares the absolute
/// errors with the baseline route's (the one serving `seasonal-naive`) on the same city,
/// variable, origin and lead. Posted series are never recorded: only served models.
///
/// The state is saved atomically to `path` after every update that changed it and read
/// back at start, so a restart keeps the scores; a damaged file is set aside.
public final class AccuracyTracker: Sendable {
    /// The leads recorded per origin, in hours.
    public static let horizon = 72
    /// Lead bands, in hours: 1-24, 25-48, 49-72.
    public static let bands = ["1-24", "25-48", "49-72"]
    /// The interval level scored.
    public static let level = 0.95
    /// How many origins (hours) each series keeps: 14 days.
    public static let windowOrigins: Int64 = 336

    /// Where the state is saved, or nil to keep it in memory only.
    public let path: String?
    /// The route whose errors skill is measured against, if any.
    public let baselineRoute: String?
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

    /// A tracker saving to `path`, loading what an earlier run saved there.
    public init(path: String?, baselineRoute: String?, logger: Logger = Logger(label: "forecast.accuracy")) {
        self.path = path
        self.baselineRoute = baselineRoute
        self.logger = logger
        state = Locked(Self.load(path: path, logger: logger))
    }

    /// The route skill is measured against: `/baseline` when it serves a plugin, else the
    /// first route (by name) serving the `seasonal-naive` plugin, else none.
    public static func baseline(in routes: [ForecastConfig.Route]) -> String? {
        let plugin = routes.filter { if case .plugin = $0.target { return true } else { return false } }
        if plugin.contains(where: { $0.name == "baseline" }) { return "baseline" }
        return plugin.sorted { $0.name < $1.name }
            .first { if case .plugin("seasonal-naive") = $0.target { return true } else { return false } }?.name
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
        for (position, series) in record.series.enumerated() { index[Self.key(series.route, series.city, series.variable)] = position }
        var changed = false
        for (name, route) in models.routes.sorted(by: { $0.key < $1.key }) where route.plugin != nil {
            for pair in route.sortedCities {
                let origin = pair.lastObserved
                for (variable, model) in pair.models.map({ ($0.variable.name, $0.model) }) {
                    let key = Self.key(name, pair.city, variable)
                    if let position = index[key], record.series[position].latestOrigin >= origin { continue }
                    guard let forecast = issue(model, lead: pair.leadSteps(model), variable: variable, route: name, city: pair.city,
                                               origin: origin) else { continue }
                    if index[key] == nil {
                        record.series.append(AccuracySeries(route: name, city: pair.city, variable: variable, latestOrigin: origin))
                        index[key] = record.series.count - 1
                    }
                    let position = index[key]!
                    record.series[position].latestOrigin = origin
                    record.series[position].pending.append(forecast)
                    let oldest = origin - Self.windowOrigins * 3600
                    record.series[position].pending.removeAll { $0.origin <= oldest }
                    record.series[position].scores.removeAll { $0.origin <= oldest }
                    changed = true
                }
            }
        }
        return changed
    }

    /// The forecast the service issues at `origin` for `variable`, as ``ForecastBody`` computes it (kelvin, or
    /// humidity kept within 0...100), or nil when the model cannot forecast now (logged).
    private func issue(_ model: VariableModel, lead: Int, variable: String, route: String, city: String,
                       origin: Int64) -> PendingForecast? {
        let output: ForecastOutput
        do throws(WorkerError) {
            output = try model.model.forecastNow(horizon: lead + Self.horizon, level: Self.level)
        } catch {
            logger.warning("/\(route) \(city) \(variable): no forecast recorded for accuracy at \(ISOTime.format(origin)): \(error)")
            return nil
        }
        let clamp: (Double) -> Double = variable == "humidity" ? { min(max($0, 0), 100) } : { $0 }
        let mean = output.mean.dropFirst(lead).prefix(Self.horizon).map(clamp)
        let lower = output.lower.dropFirst(lead).prefix(Self.horizon).map(clamp)
        let upper = output.upper.dropFirst(lead).prefix(Self.horizon).map(clamp)
        guard mean.count == Self.horizon, lower.count == Self.horizon, upper.count == Self.horizon,
              (mean + lower + upper).allSatisfy(\.isFinite) else {
            logger.warning("/\(route) \(city) \(variable): the forecast at \(ISOTime.format(origin)) is not \(Self.horizon) finite hours; not recorded for accuracy")
            return nil
        }
        return PendingForecast(origin: origin, mean: Array(mean), lower: Array(lower), upper: Array(upper),
                               errors: Array(repeating: nil, count: Self.horizon), paired: Array(repeating: false, count: Self.horizon))
    }

    // MARK: Scoring

    private func score(_ record: inout AccuracyRecord, store: any ObservationStore) -> Bool {
        var earliest: [String: Int64] = [:]
        for series in record.series {
            for forecast in series.pending { earliest[series.city] = min(earliest[series.city] ?? forecast.origin, forecast.origin) }
        }
        var observed: [String: [Int64: Observation]] = [:]
        var imputed: [String: [Int64: UInt8]] = [:]
        for (city, origin) in earliest {
            do {
                let from = origin + 3600, to = origin + Self.windowOrigins * 3600 + Int64(Self.horizon) * 3600
                let rows = try store.observations(city: city, from: from, to: to)
                observed[city] = Dictionary(rows.map { ($0.time, $0) }, uniquingKeysWith: { _, last in last })
                imputed[city] = try store.imputedMarks(city: city, from: from, to: to)
            } catch {
                logger.warning("cannot read the observations of \(city) to score the forecasts: \(error)")
            }
        }
        var changed = false
        for position in record.series.indices {
            let series = record.series[position]
            guard let rows = observed[series.city] else { continue }
            // Interpolated values are not observations: such an hour waits for a measurement.
            let marks = imputed[series.city] ?? [:]
            guard let variable = Variable(named: series.variable) else { continue }
            let bit = variable.imputedBit
            for slot in series.pending.indices {
                var forecast = record.series[position].pending[slot]
                var sums = Array(repeating: BandSums(), count: Self.bands.count)
                for lead in 0..<Self.horizon where forecast.errors[lead] == nil {
                    let time = forecast.origin + Int64(lead + 1) * 3600
                    guard let row = rows[time], let value = row[variable],
                          value.isFinite, (marks[time] ?? 0) & bit == 0 else { continue }
                    let error = forecast.mean[lead] - value
                    forecast.errors[lead] = error
                    let band = lead / 24
                    sums[band].count += 1
                    sums[band].absolute += abs(error)
                    sums[band].squares += error * error
                    if value >= forecast.lower[lead] && value <= forecast.upper[lead] { sums[band].inside += 1 }
                }
                guard sums.contains(where: { $0.count > 0 }) else { continue }
                record.series[position].pending[slot] = forecast
                addScores(sums, origin: forecast.origin, to: &record.series[position])
                changed = true
            }
        }
        if changed { pairWithBaseline(&record) }
        for position in record.series.indices { record.series[position].pending.removeAll(where: \.isComplete) }
        return changed
    }

    private func addScores(_ sums: [BandSums], origin: Int64, to series: inout AccuracySeries) {
        if let index = series.scores.firstIndex(where: { $0.origin == origin }) {
            for band in sums.indices { series.scores[index].bands[band].add(sums[band]) }
        } else {
            series.scores.append(OriginScores(origin: origin, bands: sums))
        }
    }

    /// Adds to every route's skill sums the leads now scored both on it and on the baseline.
    private func pairWithBaseline(_ record: inout AccuracyRecord) {
        guard let baselineRoute else { return }
        var baseline: [String: PendingForecast] = [:]
        for series in record.series where series.route == baselineRoute {
            for forecast in series.pending { baseline[Self.key(series.city, series.variable, String(forecast.origin))] = forecast }
        }
        for position in record.series.indices {
            let series = record.series[position]
            for slot in series.pending.indices {
                var forecast = series.pending[slot]
                guard let reference = baseline[Self.key(series.city, series.variable, String(forecast.origin))] else { continue }
                var sums = Array(repeating: BandSums(), count: Self.bands.count)
                for lead in 0..<Self.horizon where !forecast.paired[lead] {
                    guard let own = forecast.errors[lead], let theirs = reference.errors[lead] else { continue }
                    forecast.paired[lead] = true
                    sums[lead / 24].pairedCount += 1
                    sums[lead / 24].pairedAbsolute += abs(own)
                    sums[lead / 24].pairedBaselineAbsolute += abs(theirs)
                }
                guard sums.contains(where: { $0.pairedCount > 0 }) else { continue }
                record.series[position].pending[slot] = forecast
                addScores(sums, origin: forecast.origin, to: &record.series[position])
            }
        }
    }

    // MARK: Reading

    /// The sums of every band over the window, for `route` (and the city named `city`, by
    /// name or slug, when given), keyed by city name then variable.
    func totals(route: String, city: String?) -> [String: [String: [BandSums]]] {
        let slug = city.map(ModelRepository.slug)
        var result: [String: [String: [BandSums]]] = [:]
        for series in snapshot.series where series.route == route {
            if let slug, ModelRepository.slug(series.city) != slug { continue }
            var total = Array(repeating: BandSums(), count: Self.bands.count)
            for origin in series.scores {
                for band in origin.bands.indices where band < total.count { total[band].add(origin.bands[band]) }
            }
            result[series.city, default: [:]][series.variable] = total
        }
        return result
    }

    // MARK: Persistence

    private static func key(_ parts: String...) -> String { parts.joined(separator: "\u{0}") }

    private func save(_ record: AccuracyRecord) {
        guard let path else { return }
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let data = try encoder.encode(record)
            let temporary = path + ".tmp"
            try data.write(to: URL(fileURLWithPath: temporary))
            if rename(temporary, path) != 0 {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path, NSLocalizedDescriptionKey: String(cString: strerror(errno))])
            }
        } catch {
            logger.warning("cannot save the accuracy scores to \(path): \(error); they are kept in memory")
        }
    }

    /// What `path` holds; empty when there is no file, and empty with the file moved aside
    /// (logged) when it cannot be read.
    private static func load(path: String?, logger: Logger) -> AccuracyRecord {
        guard let path, FileManager.default.fileExists(atPath: path) else { return AccuracyRecord() }
        do {
            let record = try JSONDecoder().decode(AccuracyRecord.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
            guard record.version == 1 else { throw CocoaError(.fileReadCorruptFile) }
            return record
        } catch {
            let aside = path + ".damaged-\(Int64(Date().timeIntervalSince1970))"
            try? FileManager.default.moveItem(atPath: path, toPath: aside)
            logger.warning("the accuracy file \(path) cannot be read (\(error)); moved to \(aside), scoring starts afresh")
            return AccuracyRecord()
        }
    }
}
