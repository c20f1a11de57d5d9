/// Where processed observations live: SQLite (embedded default) or PostgreSQL.
///
/// The store reads what it writes: per-city columns on an hourly grid (``CitySeries``),
/// missing hours as NaN and the interpolated-at-ingest marks kept, in ``upsert(_:progress:beforeCommit:)``
/// and out of ``series(city:from:to:)``. Implementations are thread-safe. Every write is
/// one transaction: it happens completely or not at all, and repeating it leaves the same
/// rows (upsert). A write never replaces a stored value with a missing one.
public protocol ObservationStore: Sendable {
    /// Creates or upgrades the schema to the newest migration; idempotent.
    func migrate() throws

    /// Inserts the rows of `batch` or updates the stored ones with their values, in one
    /// transaction: a missing value (NaN) keeps the stored one, an interpolated value never
    /// replaces a measured one; on error nothing changes. Calls `progress` with the number
    /// of rows written so far, and `beforeCommit` once every row is written, before the
    /// load becomes visible; when it throws, nothing is written and its error is rethrown
    /// (ingest writes its processed CSVs meanwhile, and keeps the store unchanged when that
    /// fails). The one write: the bulk ingest and the live service's small appends
    /// (``upsert(_:)``) both go through it.
    func upsert(_ batch: ObservationBatch, progress: (Int) -> Void, beforeCommit: () throws -> Void) throws

    /// The cities with at least one observation, sorted.
    func cities() throws -> [String]

    /// The stored hours of `city` with `from <= time <= to` (either bound optional) as
    /// columns from the first to the last stored hour, hours with no row as NaN, with their
    /// ``ImputedMask`` marks; a variable with no value in the range has an empty column.
    /// Nil when the range holds no value.
    func series(city: String, from: Int64?, to: Int64?) throws -> CitySeries?

    /// For each of `cities` that has stored values, the hours each variable has a value at
    /// (what a load is compared with before it may go ahead).
    func coverage(cities: [String]) throws -> [String: StoredCoverage]
}

extension ObservationStore {
    /// Upserts a small batch (a POST's rows) as ``upsert(_:progress:beforeCommit:)`` does,
    /// with no progress to report and nothing to finish before the commit.
    public func upsert(_ batch: ObservationBatch) throws {
        try upsert(batch, progress: { _ in }, beforeCommit: {})
    }

    /// The hours of `city` with `from <= time <= to` that hold a value, as rows, oldest
    /// first (read as ``series(city:from:to:)``): for readers that go hour by hour.
    public func observations(city: String, from: Int64?, to: Int64?) throws -> [Observation] {
        try series(city: city, from: from, to: to)?.observations ?? []
    }

    /// The ``ImputedMask`` bits of the hours of `city` with `from <= time <= to` that hold
    /// an interpolated value (hours with measured values only are left out), read as
    /// ``series(city:from:to:)``: what tells a conflicting measurement from one that
    /// replaces an interpolation.
    public func imputedMarks(city: String, from: Int64, to: Int64) throws -> [Int64: UInt8] {
        guard let series = try series(city: city, from: from, to: to) else { return [:] }
        var marks: [Int64: UInt8] = [:]
        for index in series.imputed.indices where series.imputed[index] != 0 { marks[series.time(at: index)] = series.imputed[index] }
        return marks
    }

    /// Computed from ``series(city:from:to:)``; the stores answer with one query per city.
    public func coverage(cities: [String]) throws -> [String: StoredCoverage] {
        var result: [String: StoredCoverage] = [:]
        for city in cities {
            guard let series = try series(city: city, from: nil, to: nil) else { continue }
            var ranges: [Variable: HourRange] = [:]
            for variable in Variable.allCases {
                ranges[variable] = HourRange((0..<series.hours).filter { series.value(variable, at: $0) != nil }.map(series.time(at:)))
            }
            if !ranges.isEmpty { result[city] = StoredCoverage(ranges: ranges) }
        }
        return result
    }
}
