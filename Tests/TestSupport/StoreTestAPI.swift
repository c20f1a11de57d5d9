import CLibPQ
import CSQLite
import ForecastStore

// What tests ask of a store beyond what the program does: rows in and out as lists, raw
// SQL to build old schemas or break a connection. Built on the store's one write and one
// read (and its `package` connection hook for SQL), so the program carries none of it.

extension ObservationStore {
    /// Upserts `observations` through the one write path (``ObservationBatch/init(rows:)``).
    public func upsert(_ observations: [Observation]) throws {
        try upsert(try ObservationBatch(rows: observations))
    }

    /// Upserts `observations` as ``ObservationStore/upsert(_:progress:beforeCommit:)`` does.
    public func upsert(_ observations: [Observation], progress: (Int) -> Void, beforeCommit: () throws -> Void = {}) throws {
        try upsert(try ObservationBatch(rows: observations), progress: progress, beforeCommit: beforeCommit)
    }

    /// Every stored row, ordered by city and time.
    public func allObservations() throws -> [Observation] {
        try cities().flatMap { try observations(city: $0, from: nil, to: nil) }
    }
}

extension StoreFactory {
    /// Loads `observations` as ``StoreFactory/load(_:url:progress:beforeCommit:)`` loads a batch.
    public static func load(_ observations: [Observation], url: String, progress: (Int) -> Void,
                            beforeCommit: () throws -> Void = {}) throws {
        try load(try ObservationBatch(rows: observations), url: url, progress: progress, beforeCommit: beforeCommit)
    }
}

extension SQLiteStore {
    /// Builds a new file holding `observations`, as ``SQLiteStore/createLoaded(path:batch:progress:beforeCommit:)`` does.
    public static func createLoaded(path: String, observations: [Observation], progress: (Int) -> Void,
                                    beforeCommit: () throws -> Void = {}) throws -> Bool {
        try createLoaded(path: path, batch: try ObservationBatch(rows: observations), progress: progress, beforeCommit: beforeCommit)
    }

    /// Runs SQL statements on the store's connection (to build an old schema, or inspect a file).
    public func run(_ sql: String) throws {
        try withConnection { db in
            var message: UnsafeMutablePointer<CChar>?
            let status = sqlite3_exec(db, sql, nil, nil, &message)
            guard status == SQLITE_OK else {
                let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(status))
                sqlite3_free(message)
                throw StoreError(.query, "SQLite: \(text)")
            }
        }
    }
}

extension PostgresStore {
    /// Runs one or more SQL commands on the store's connection (e.g. `DROP TABLE`, `CREATE DATABASE`).
    public func run(_ sql: String) throws {
        try withConnection { connection in
            let result = PQexec(connection, sql)
            defer { PQclear(result) }
            let status = result.map { PQresultStatus($0) } ?? PGRES_FATAL_ERROR
            guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
                let message = PQerrorMessage(connection).map { String(cString: $0) } ?? "no message"
                throw StoreError(.query, "PostgreSQL (\(displayURL)): \(message)")
            }
        }
    }

    /// The server process id serving the store's connection (`pg_backend_pid()`).
    public func backendPID() throws -> Int32 {
        try withConnection { PQbackendPID($0) }
    }
}
