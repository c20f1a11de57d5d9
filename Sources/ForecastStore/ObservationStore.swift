/// Where processed observations live: SQLite (embedded default) or PostgreSQL.
///
/// Implementations are thread-safe. Every write is one transaction: it happens
/// completely or not at all, and repeating it leaves the same rows (upsert).
public protocol ObservationStore: Sendable {
    /// Creates or upgrades the schema to the newest migration; idempotent.
    func migrate() throws

    /// Inserts or replaces `observations` in one transaction; on error nothing changes.
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
}

extension ObservationStore {
    /// Upserts as ``upsert(_:)``, reporting rows written so far; stores that cannot report call `progress` once at the end.
    public func upsert(_ observations: [Observation], progress: (Int) -> Void) throws {
        try upsert(observations)
        progress(observations.count)
    }
}
