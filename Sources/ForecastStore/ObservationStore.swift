/// Where processed observations live: SQLite (embedded default) or PostgreSQL.
///
/// Implementations are thread-safe. Every write is one transaction: it happens
/// completely or not at all, and repeating it leaves the same rows (upsert). A write
/// never replaces a stored value with a missing one: a row's nil keeps what is stored.
public protocol ObservationStore: Sendable {
    /// Creates or upgrades the schema to the newest migration; idempotent.
    func migrate() throws

    /// Inserts `observations` or updates the stored rows with their values, in one
    /// transaction; a nil value keeps the stored one; on error nothing changes.
    func upsert(_ observations: [Observation]) throws

    /// Upserts as ``upsert(_:)``, calling `progress` with the number of rows written so far.
    func upsert(_ observations: [Observation], progress: (Int) -> Void) throws

    /// Upserts as ``upsert(_:progress:)`` and calls `beforeCommit` once every row is
    /// written, before the load becomes visible; when it throws, nothing is written and
    /// its error is rethrown. Lets a caller finish other work (ingest writes its processed
    /// CSVs meanwhile) and keep the store unchanged when that work fails.
    func upsert(_ observations: [Observation], progress: (Int) -> Void, beforeCommit: () throws -> Void) throws

    /// Upserts the rows of a batch in columns (what ingest produces), as the list version
    /// of `upsert(_:progress:beforeCommit:)` does.
    func upsert(_ batch: ObservationBatch, progress: (Int) -> Void, beforeCommit: () throws -> Void) throws

    /// The cities with at least one observation, sorted.
    func cities() throws -> [String]

    /// The observations of `city` with `from <= time <= to` (either bound optional), oldest first.
    func observations(city: String, from: Int64?, to: Int64?) throws -> [Observation]

    /// The ``ImputedMask`` bits of the hours of `city` with `from <= time <= to` that hold
    /// an interpolated value (hours with measured values only are left out): what tells a
    /// conflicting measurement from one that replaces an interpolation.
    func imputedMarks(city: String, from: Int64, to: Int64) throws -> [Int64: UInt8]

    /// For each of `cities` that has stored values, the hours each variable has a value at
    /// (what a load is compared with before it may go ahead).
    func coverage(cities: [String]) throws -> [String: StoredCoverage]
}

extension ObservationStore {
    /// Computed from ``observations(city:from:to:)``; the stores answer with one query per city.
    public func coverage(cities: [String]) throws -> [String: StoredCoverage] {
        var result: [String: StoredCoverage] = [:]
        for city in cities {
            let rows = try observations(city: city, from: nil, to: nil)
            var ranges: [Variable: HourRange] = [:]
            for variable in Variable.allCases {
                ranges[variable] = HourRange(rows.filter { $0[variable] != nil }.map(\.time))
            }
            if !ranges.isEmpty { result[city] = StoredCoverage(ranges: ranges) }
        }
        return result
    }

    /// Upserts as ``upsert(_:)``, reporting rows written so far; stores that cannot report call `progress` once at the end.
    public func upsert(_ observations: [Observation], progress: (Int) -> Void) throws {
        try upsert(observations)
        progress(observations.count)
    }
}
