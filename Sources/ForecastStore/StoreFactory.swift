import Foundation

/// Opens the store a URL names: `sqlite://` (embedded) or `postgresql://` (server).
///
/// ```swift
/// let store = try StoreFactory.open(url: "sqlite:///var/lib/forecast/forecast.db")
/// ```
public enum StoreFactory {
    /// Opens and migrates the store at `url`.
    ///
    /// - Parameters:
    ///   - url: `sqlite:///absolute/path.db`, `sqlite://relative/path.db`, or `postgresql://user@host:port/db`.
    ///   - migrate: apply pending schema migrations (default true).
    ///   - readOnly: open a SQLite file for reading only (PostgreSQL access rights are the server's).
    public static func open(url: String, migrate: Bool = true, readOnly: Bool = false) throws -> any ObservationStore {
        let store: any ObservationStore
        if url.hasPrefix("sqlite://") {
            store = try SQLiteStore(url: url, readOnly: readOnly)
        } else if url.hasPrefix("postgresql://") || url.hasPrefix("postgres://") {
            store = try PostgresStore(url: url)
        } else {
            throw StoreError(.badURL, "unknown store URL '\(url)': use sqlite:///path/to/file.db or postgresql://user@host:port/database")
        }
        if migrate { try store.migrate() }
        return store
    }

    /// Upserts the rows of `batch` into the store at `url` in one transaction (opening and
    /// migrating it): what `forecast ingest` does.
    ///
    /// A SQLite file that does not exist yet is built whole under a temporary name and
    /// published by a link (``SQLiteStore/createLoaded(path:batch:progress:beforeCommit:)``): the
    /// same rows and schema, written once instead of through the WAL and a checkpoint.
    /// `beforeCommit` runs once every row is written, before they become visible; when it
    /// throws, the store is left unchanged and its error rethrown.
    public static func load(_ batch: ObservationBatch, url: String, progress: (Int) -> Void,
                            beforeCommit: () throws -> Void = {}) throws {
        try load(url: url, beforeCommit: beforeCommit,
                 create: { path, once in try SQLiteStore.createLoaded(path: path, batch: batch, progress: progress, beforeCommit: once) },
                 upsert: { store, once in try store.upsert(batch, progress: progress, beforeCommit: once) })
    }

    /// Builds a new SQLite file with `create` when `url` names one that does not exist,
    /// else opens the store and runs `upsert`; either gets `beforeCommit` to run once.
    private static func load(url: String, beforeCommit: () throws -> Void,
                             create: (String, () throws -> Void) throws -> Bool,
                             upsert: (any ObservationStore, () throws -> Void) throws -> Void) throws {
        // Once only: when the new file cannot be published, the upsert that follows would call it again.
        var ranBeforeCommit = false
        let once = {
            if !ranBeforeCommit {
                try beforeCommit()
                ranBeforeCommit = true
            }
        }
        if url.hasPrefix("sqlite://") {
            let path = String(url.dropFirst("sqlite://".count))
            if !path.isEmpty, try create(path, once) { return }
        }
        try upsert(try open(url: url), once)
    }

    /// The hours each variable of `cities` has stored values at in the store at `url`
    /// (opened and migrated as a load would); empty for a SQLite file that does not exist
    /// yet, which is not created.
    public static func coverage(url: String, cities: [String]) throws -> [String: StoredCoverage] {
        if url.hasPrefix("sqlite://") {
            let path = String(url.dropFirst("sqlite://".count))
            if !path.isEmpty, !FileManager.default.fileExists(atPath: path) { return [:] }
        }
        return try open(url: url).coverage(cities: cities)
    }

    /// The store kind a URL names (`sqlite` or `postgresql`), for messages.
    public static func kind(of url: String) -> String {
        url.hasPrefix("sqlite://") ? "sqlite" : "postgresql"
    }
}
