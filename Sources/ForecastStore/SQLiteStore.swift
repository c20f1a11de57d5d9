import CSQLite
import Foundation
import Locking

/// The embedded store: one SQLite file, no server.
///
/// Opens the file in WAL mode (readers never wait for the writer) with a busy timeout,
/// so the server can read while a pipeline step loads. One connection per store,
/// used under a lock; statements are prepared once per call and reused for every batch
/// of rows.
///
/// ```swift
/// let store = try SQLiteStore(path: "forecast-data/forecast.db")
/// try store.migrate()
/// try store.upsert(batch)
/// ```
public final class SQLiteStore: ObservationStore, @unchecked Sendable {
    // @unchecked: the connection pointer is only touched while `lock` is held.
    private let lock = GuardLock(0)
    private let db: OpaquePointer
    /// Every variable, once the file's schema is known to have them all (read under `lock`).
    private var completeVariables: [Variable]?
    /// The database file.
    public let path: String

    /// Opens (creating when missing) the SQLite file at `path`; does not migrate.
    ///
    /// - Parameters:
    ///   - path: the database file; its directory is created when missing.
    ///   - busyTimeoutMilliseconds: how long a statement waits for another writer.
    ///   - readOnly: open an existing file for reading only (a server that must not write,
    ///     or runs as a user that cannot); writes then fail with an error.
    public convenience init(path: String, busyTimeoutMilliseconds: Int32 = 10_000, readOnly: Bool = false) throws(StoreError) {
        try self.init(path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds, readOnly: readOnly, privateFile: false)
    }

    /// The page size of a file built by its first load (``createLoaded(path:batch:progress:beforeCommit:)``).
    /// Rows are small (an integer city id, an hour and two reals, about 30 bytes) and such a
    /// load writes many thousands of them in key order: large pages mean fewer B-tree pages
    /// and splits (a large load takes less CPU than with 4 KiB pages: bench/pipeline/README.md).
    /// Reads are range scans of one city, which large pages do not slow down. A file
    /// created empty keeps SQLite's default, since every table takes at least one page.
    static let loadedFilePageSize = 65_536

    /// Process-wide SQLite settings, applied once before the first connection opens:
    /// memory statistics off, which spares every SQLite allocation a global mutex (a share
    /// of a large load's CPU that perf showed: bench/pipeline/README.md).
    private static let configureLibrary: Void = {
        _ = forecast_sqlite3_disable_memory_statistics()
    }()

    /// Opens `path`. A `privateFile` is one no other connection can know about yet (see
    /// ``createLoaded(path:batch:progress:beforeCommit:)``): it keeps its rollback journal in
    /// memory and does not sync, because it is synced once, whole, before it is published.
    init(path: String, busyTimeoutMilliseconds: Int32 = 10_000, readOnly: Bool, privateFile: Bool) throws(StoreError) {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty && !readOnly {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        Self.configureLibrary
        if !readOnly, !privateFile, let problem = Self.writeAccessProblem(path: path) {
            throw StoreError(.connection, problem)
        }
        var handle: OpaquePointer?
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX
        let status = sqlite3_open_v2(path, &handle, flags, nil)
        guard status == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(status))
            if let handle { sqlite3_close_v2(handle) }
            throw StoreError(.connection, "cannot open SQLite database \(path): \(message)")
        }
        db = handle
        sqlite3_busy_timeout(db, busyTimeoutMilliseconds)
        if readOnly {
            // journal_mode and synchronous are settings of writers; a reader keeps the file's.
            return
        }
        do {
            if privateFile {
                // Before the first table: the page size of a file is fixed when it is created.
                try execute("PRAGMA page_size = \(Self.loadedFilePageSize)")
                try execute("PRAGMA journal_mode = MEMORY")
                try execute("PRAGMA synchronous = OFF")
            } else {
                try execute("PRAGMA journal_mode = WAL")
                try execute("PRAGMA synchronous = NORMAL")
            }
            // A 64 MiB page cache: a large load touches many B-tree pages before it commits.
            try execute("PRAGMA cache_size = -65536")
            try execute("PRAGMA temp_store = MEMORY")
            try execute("PRAGMA foreign_keys = ON")
        } catch {
            sqlite3_close_v2(db)
            throw StoreError(.connection, "cannot open SQLite database \(path): \(error.message)")
        }
    }

    /// Why a writer cannot use the database file `path`, or nil when it can: the file is
    /// read-only, or its directory is (SQLite creates its journal and WAL files beside the
    /// database, so a writable file in a read-only directory is no use either). Said
    /// plainly, instead of SQLite's "attempt to write a readonly database".
    static func writeAccessProblem(path: String) -> String? {
        let directory = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        guard FileManager.default.fileExists(atPath: directory) else { return nil }
        if access(directory, W_OK) != 0 {
            let reason = String(cString: strerror(errno))
            return FileManager.default.fileExists(atPath: path)
                ? "cannot write the SQLite database \(path): its directory \(directory) is read-only (\(reason)); SQLite creates its journal files beside the database, so the directory must be writable"
                : "cannot create the SQLite database \(path): the directory \(directory) is read-only (\(reason))"
        }
        if FileManager.default.fileExists(atPath: path), access(path, W_OK) != 0 {
            return "cannot write the SQLite database \(path): the file is read-only (\(String(cString: strerror(errno))))"
        }
        return nil
    }

    /// Opens the file named by a `sqlite://` URL (`sqlite:///abs/path.db` or `sqlite://relative.db`).
    public convenience init(url: String, readOnly: Bool = false) throws(StoreError) {
        guard url.hasPrefix("sqlite://") else {
            throw StoreError(.badURL, "not a SQLite URL: \(url) (expected sqlite:///path/to/file.db)")
        }
        let path = String(url.dropFirst("sqlite://".count))
        guard !path.isEmpty else { throw StoreError(.badURL, "the SQLite URL \(url) names no file") }
        try self.init(path: path, readOnly: readOnly)
    }

    deinit {
        sqlite3_close_v2(db)
    }

    // MARK: ObservationStore

    /// Applies every migration newer than the file's schema version, each in its own transaction.
    public func migrate() throws {
        try migrate(through: Migration.latestVersion)
    }

    /// Applies the migrations newer than the file's schema version up to `version` (to test upgrades).
    public func migrate(through version: Int) throws {
        try lock.withLock { _ throws(StoreError) in
            try execute(Migration.historyTable)
            let current = try queryInt("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
            if current > Migration.latestVersion { throw Migration.tooNew(current, store: path) }
            for migration in Migration.all where migration.version > current && migration.version <= version {
                try transaction { () throws(StoreError) in
                    for statement in migration.sqlite { try execute(statement) }
                    let record = try Statement(db, "INSERT INTO schema_migrations(version, summary, applied_at) VALUES (?, ?, ?)")
                    try record.bind(1, Int64(migration.version))
                    try record.bind(2, migration.summary)
                    try record.bind(3, Int64(Date().timeIntervalSince1970))
                    try record.stepDone()
                }
            }
        }
    }

    /// Writes the rows of `batch` in one transaction (see ``ObservationStore/upsert(_:progress:beforeCommit:)``),
    /// calling `progress` every 50,000 rows.
    ///
    /// Rows go into `city_observations` keyed by the city's id in `cities` (a city
    /// seen for the first time gets one, in the same transaction), read from the columns
    /// without a struct per row. A row equal to the stored one is left alone, so reloading
    /// unchanged data writes no pages. Rows are inserted up to 2,500 per statement: one
    /// statement per row spent most of SQLite's CPU on per-statement overhead, not B-tree
    /// work (the batch sizes tried: bench/pipeline/README.md).
    public func upsert(_ batch: ObservationBatch, progress: (Int) -> Void, beforeCommit: () throws -> Void) throws {
        try upsert(rows: BatchRows(batch: batch), progress: progress, beforeCommit: beforeCommit)
    }

    /// Writes `rows` in one transaction, running `beforeCommit` after the last row.
    func upsert(rows: BatchRows, progress: (Int) -> Void, beforeCommit: () throws -> Void) throws {
        try CommitHook.run(beforeCommit) { hook throws in
            try write(rows, progress: progress, beforeCommit: hook)
        }
        progress(rows.count)
    }

    /// Writes `rows` in one transaction, running `beforeCommit` just before the commit.
    private func write(_ rows: BatchRows, progress: (Int) -> Void, beforeCommit: () throws(StoreError) -> Void) throws(StoreError) {
        try lock.withLock { _ throws(StoreError) in
            try transaction { () throws(StoreError) in
                let ids = try cityIDs(rows.cities)
                // Three parameters a row and one per variable; old SQLite builds allow only 999 per statement.
                let sql = UpsertSQL(variables: rows.variables)
                let perRow = Int32(3 + sql.variables.count)
                let perStatement = max(1, min(2_500, Int(sqlite3_limit(db, SQLITE_LIMIT_VARIABLE_NUMBER, -1)) / Int(perRow)))
                let full = try Statement(db, sql.text(rows: min(perStatement, max(rows.count, 1))))
                var insert = full
                var parameter: Int32 = 1
                var written = 0, batchStart = 0, reported = 0
                let total = rows.count
                for row in rows {
                    if parameter == 1 {
                        batchStart = written
                        let size = min(perStatement, total - written)
                        // The last statement may hold fewer rows.
                        insert = size == perStatement ? full : try Statement(db, sql.text(rows: size))
                    }
                    try bind(row, to: insert, at: parameter, cityID: ids[row.city], variables: sql.variables)
                    parameter += perRow
                    written += 1
                    guard written - batchStart == perStatement || written == total else { continue }
                    do throws(StoreError) {
                        try insert.stepDone()
                    } catch {
                        throw try refusedRow(in: rows, batchStart..<written, ids: ids, sql: sql, batchError: error)
                    }
                    insert.reset()
                    parameter = 1
                    if written - reported >= 50_000 {
                        reported = written
                        progress(reported)
                    }
                }
                try beforeCommit()
            }
        }
    }

    /// Binds one row's parameters from `first` on: city id, time, the value of each of
    /// `variables`, imputed marks.
    private func bind(_ row: LoadRow, to statement: Statement, at first: Int32, cityID: Int64,
                      variables: [Variable]) throws(StoreError) {
        try statement.bind(first, cityID)
        try statement.bind(first + 1, row.time)
        var parameter = first + 2
        for variable in variables {
            try statement.bind(parameter, row[variable])
            parameter += 1
        }
        try statement.bind(parameter, Int64(row.imputed))
    }

    /// The upsert of a load's rows, writing the columns of the variables the load has. A
    /// missing value (NULL) in a new row never replaces a stored one, and an interpolated
    /// value (``ImputedMask``) never replaces a measured one: per variable, the stored value
    /// stays then. The columns and imputed bits of variables the load does not have stay as
    /// stored, so a load of two variables costs what it did before there were four.
    struct UpsertSQL {
        /// The variables written, in table order.
        let variables: [Variable]
        private let prefix: String
        private let row: String
        private let conflict: String

        init(variables loaded: [Variable]) {
            variables = loaded.isEmpty ? [tableVariables[0]] : loaded
            let variables = variables
            prefix = "INSERT INTO city_observations(city_id, time, \(variables.map(\.name).joined(separator: ", ")), imputed) VALUES "
            row = "(" + Array(repeating: "?", count: 3 + variables.count).joined(separator: ", ") + ")"
            func keep(_ variable: Variable) -> String {
                let c = variable.name, b = variable.imputedBit
                return "(excluded.\(c) IS NULL OR ((excluded.imputed & \(b)) = \(b) AND \(c) IS NOT NULL AND (imputed & \(b)) = 0))"
            }
            let untouched = tableVariables.filter { !variables.contains($0) }.reduce(UInt8(0)) { $0 | $1.imputedBit }
            let sets = variables.map { "\($0.name) = CASE WHEN \(keep($0)) THEN \($0.name) ELSE excluded.\($0.name) END" }
            let marks = variables.map { "(CASE WHEN \(keep($0)) THEN imputed & \($0.imputedBit) ELSE excluded.imputed & \($0.imputedBit) END)" }
                + (untouched == 0 ? [] : ["(imputed & \(untouched))"])
            let changes = variables.map {
                "(NOT \(keep($0)) AND (\($0.name) IS NOT excluded.\($0.name) OR (imputed & \($0.imputedBit)) <> (excluded.imputed & \($0.imputedBit))))"
            }
            conflict = """
                 ON CONFLICT(city_id, time) DO UPDATE
                SET \(sets.joined(separator: ",\n    ")),
                    imputed = \(marks.joined(separator: "\n        | "))
                WHERE \(changes.joined(separator: "\n   OR "))
                """
        }

        /// The statement for `rows` rows.
        func text(rows: Int) -> String {
            prefix + Array(repeating: row, count: rows).joined(separator: ", ") + conflict
        }
    }

    /// The error for a failed multi-row statement, naming the row SQLite refused.
    ///
    /// A failed statement changes nothing (SQLite undoes the statement), so while the
    /// transaction is still open the batch's rows are tried one at a time to find the one;
    /// the caller rolls back the whole load either way.
    private func refusedRow(in rows: BatchRows, _ batch: Range<Int>, ids: [Int64], sql: UpsertSQL,
                                            batchError: StoreError) throws(StoreError) -> StoreError {
        let whole = StoreError(.query, "rows \(batch.lowerBound + 1)-\(batch.upperBound) were refused: \(batchError.message); nothing was written")
        guard sqlite3_get_autocommit(db) == 0 else { return whole }
        let single = try Statement(db, sql.text(rows: 1))
        let cities = rows.cities
        for (number, row) in rows.enumerated() where batch.contains(number) {
            try bind(row, to: single, at: 1, cityID: ids[row.city], variables: sql.variables)
            do throws(StoreError) {
                try single.stepDone()
            } catch {
                return StoreError(.query, "row \(number + 1) (\(cities[row.city]), time \(row.time)) was refused: \(error.message); nothing was written")
            }
            single.reset()
        }
        return whole
    }

    /// The id of each of `cities` (by position), adding the ones the `cities` table does
    /// not have yet (inside the caller's transaction).
    private func cityIDs(_ cities: [String]) throws(StoreError) -> [Int64] {
        let add = try Statement(db, "INSERT INTO cities(name) VALUES (?) ON CONFLICT(name) DO NOTHING")
        let find = try Statement(db, "SELECT id FROM cities WHERE name = ?")
        var ids: [Int64] = []
        for city in cities {
            try add.bind(1, city)
            try add.stepDone()
            add.reset()
            try find.bind(1, city)
            guard try find.step() else { throw StoreError(.query, "SQLite: city '\(city)' has no id after it was added") }
            ids.append(find.int64(0))
            find.reset()
        }
        return ids
    }

    /// The cities with at least one observation, sorted.
    public func cities() throws -> [String] {
        try lock.withLock { _ throws(StoreError) in
            // Schema 2 keeps city names in `cities`; a file still at schema 1 (a server reads
            // without migrating) has only the observations table.
            let hasCities = try queryInt("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'cities'") > 0
            let query = try Statement(db, hasCities
                ? "SELECT name FROM cities c WHERE EXISTS (SELECT 1 FROM city_observations o WHERE o.city_id = c.id) ORDER BY name"
                : "SELECT DISTINCT city FROM observations ORDER BY city")
            var result: [String] = []
            while try query.step() { result.append(query.string(0)) }
            return result
        }
    }

    /// The stored hours of `city` in `from...to` as columns, with their interpolation marks:
    /// one range scan of the city's rows.
    public func series(city: String, from: Int64?, to: Int64?) throws -> CitySeries? {
        try lock.withLock { _ throws(StoreError) in
            let variables = try storedVariables()
            let names = variables.map { ", o." + $0.name }.joined()
            // A file still at schema 1 or 2 (a server reads without migrating) has no marks,
            // and schema 1 has no `cities` table: the view has the values then.
            let query = try Statement(db, try hasImputedMarks() ? """
                SELECT o.time\(names), o.imputed FROM city_observations o JOIN cities c ON c.id = o.city_id
                WHERE c.name = ? AND o.time >= ? AND o.time <= ? ORDER BY o.time
                """ : """
                SELECT o.time\(names), 0 FROM observations o
                WHERE o.city = ? AND o.time >= ? AND o.time <= ? ORDER BY o.time
                """)
            try query.bind(1, city)
            try query.bind(2, from ?? Int64.min)
            try query.bind(3, to ?? Int64.max)
            var times: [Int64] = []
            var values = [[Double]](repeating: [], count: variables.count)
            var marks: [UInt8] = []
            let markColumn = Int32(variables.count + 1)
            while try query.step() {
                times.append(query.int64(0))
                for position in variables.indices { values[position].append(query.double(Int32(position + 1)) ?? .nan) }
                marks.append(UInt8(truncatingIfNeeded: query.int64(markColumn)))
            }
            return CitySeries(city: city, times: times, variables: variables, values: values, marks: marks)
        }
    }

    /// The hours each variable of each of `cities` has stored values at, one query per city.
    public func coverage(cities: [String]) throws -> [String: StoredCoverage] {
        try lock.withLock { _ throws(StoreError) in
            let variables = try storedVariables()
            let query = try Statement(db, StoredCoverage.query(placeholder: "?", variables: variables))
            var result: [String: StoredCoverage] = [:]
            for city in cities {
                try query.bind(1, city)
                if try query.step() {
                    var ranges: [Variable: HourRange] = [:]
                    for (offset, variable) in variables.enumerated() {
                        let column = Int32(offset * 3)
                        if query.int64(column + 2) > 0 {
                            ranges[variable] = HourRange(first: query.int64(column), last: query.int64(column + 1), count: Int(query.int64(column + 2)))
                        }
                    }
                    if !ranges.isEmpty { result[city] = StoredCoverage(ranges: ranges) }
                }
                query.reset()
            }
            return result
        }
    }

    // MARK: Extras

    /// The schema version recorded in the file (0 before the first migration).
    public func schemaVersion() throws -> Int {
        try lock.withLock { _ throws(StoreError) in
            let exists = try queryInt("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
            return exists == 0 ? 0 : try queryInt("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
        }
    }

    /// Runs `body` with the connection, under the store's lock: what the test support's
    /// maintenance helpers (raw SQL) are built on; never while a call of the store runs.
    package func withConnection<R: Sendable>(_ body: (OpaquePointer) throws -> R) throws -> R {
        try lock.withLock { _ throws in try body(db) }
    }

    /// Puts the file in WAL mode (a private file built by ``createLoaded(path:batch:progress:beforeCommit:)``, before it is published).
    func switchToWAL() throws(StoreError) {
        try lock.withLock { _ throws(StoreError) in try execute("PRAGMA journal_mode = WAL") }
    }

    // MARK: Helpers (call with the lock held)

    /// The variables the file's `observations` view has a column for: every variable once
    /// the schema is the newest; fewer on a file a reader opens without migrating (a server
    /// on a store an older program wrote). Remembered once complete, since a schema only grows.
    private func storedVariables() throws(StoreError) -> [Variable] {
        if let known = completeVariables { return known }
        let query = try Statement(db, "SELECT name FROM pragma_table_info('observations')")
        var names: Set<String> = []
        while try query.step() { names.insert(query.string(0)) }
        let variables = Variable.allCases.filter { names.contains($0.name) }
        if variables.count == Variable.allCases.count { completeVariables = variables }
        return variables
    }

    /// Whether `city_observations` has the interpolation marks (schema 3 on); known once
    /// the schema is complete.
    private func hasImputedMarks() throws(StoreError) -> Bool {
        if completeVariables != nil { return true }
        return try queryInt("SELECT COUNT(*) FROM pragma_table_info('city_observations') WHERE name = 'imputed'") > 0
    }

    private func execute(_ sql: String) throws(StoreError) {
        var message: UnsafeMutablePointer<CChar>?
        let status = sqlite3_exec(db, sql, nil, nil, &message)
        if status != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(status))
            sqlite3_free(message)
            throw StoreError(.query, "SQLite: \(text)")
        }
    }

    private func queryInt(_ sql: String) throws(StoreError) -> Int {
        let query = try Statement(db, sql)
        guard try query.step() else { return 0 }
        return Int(query.int64(0))
    }

    private func transaction<R>(_ body: () throws(StoreError) -> R) throws(StoreError) -> R {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }
}
