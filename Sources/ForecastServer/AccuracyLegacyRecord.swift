import Foundation

/// The first accuracy format, `accuracy.json` (version 1): every forecast waiting in full
/// and the sums of every origin. Read once, when a work directory has it and no
/// `accuracy.bin` yet, and converted (``converted``) so no score is lost: the per-origin
/// band sums are added into their day, and the waiting leads are kept. Version 1 had no
/// per-lead sums, so the origins scored before the conversion count in the bands but not
/// in MAE by lead time; and a lead scored on a route but not yet on the baseline loses its
/// pairing (it is no longer waiting).
struct AccuracyLegacyRecord: Decodable {
    struct Series: Decodable {
        var route: String
        var city: String
        var variable: String
        var latestOrigin: Int64
        var pending: [Forecast]
        var scores: [OriginScores]
    }

    struct Forecast: Decodable {
        var origin: Int64
        var mean: [Double]
        var lower: [Double]
        var upper: [Double]
        var errors: [Double?]
    }

    struct OriginScores: Decodable {
        var origin: Int64
        var bands: [Band]
    }

    struct Band: Decodable {
        var count: Int
        var absolute: Double
        var squares: Double
        var inside: Int
        var pairedCount: Int
        var pairedAbsolute: Double
        var pairedBaselineAbsolute: Double
    }

    var version: Int
    var series: [Series]

    /// The same state in the current layout, each route's series under the plugin it
    /// serves (`routePlugins`, route name to plugin name): the first route of a plugin by
    /// name, the others being the same models; routes that serve no plugin now are dropped.
    func converted(routePlugins: [String: String]) -> AccuracyRecord {
        var record = AccuracyRecord()
        var seen: Set<[String]> = []
        for old in series.sorted(by: { $0.route < $1.route }) {
            guard let plugin = routePlugins[old.route], seen.insert([plugin, old.city, old.variable]).inserted else { continue }
            var series = AccuracySeries(plugin: plugin, city: old.city, variable: old.variable, latestOrigin: old.latestOrigin)
            for origin in old.scores.sorted(by: { $0.origin < $1.origin }) {
                let day = AccuracyTracker.day(of: origin.origin)
                if series.days.last?.day != day { series.days.append(DayScores(day: day)) }
                for (index, band) in origin.bands.enumerated() where index < AccuracyTracker.bands.count {
                    series.days[series.days.count - 1].bands[index].add(
                        BandSums(count: band.count, absolute: band.absolute, squares: band.squares, inside: band.inside,
                                 pairedCount: band.pairedCount, pairedAbsolute: band.pairedAbsolute,
                                 pairedBaselineAbsolute: band.pairedBaselineAbsolute))
                }
            }
            for forecast in old.pending.sorted(by: { $0.origin < $1.origin }) {
                let leads = forecast.errors.indices.filter {
                    forecast.errors[$0] == nil && $0 < AccuracyTracker.horizon && $0 < forecast.mean.count
                        && $0 < forecast.lower.count && $0 < forecast.upper.count
                }
                guard !leads.isEmpty else { continue }
                series.pending.append(PendingForecast(origin: forecast.origin, leads: leads.map { UInt8($0) },
                                                      mean: leads.map { Float(forecast.mean[$0]) },
                                                      lower: leads.map { Float(forecast.lower[$0]) },
                                                      upper: leads.map { Float(forecast.upper[$0]) }))
            }
            record.series.append(series)
        }
        return record
    }
}
