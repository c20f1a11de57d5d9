import CLibPQ
import ForecastVocabulary
import Foundation
import Locking

/// The production store: PostgreSQL through libpq, bulk loads with `COPY FROM STDIN`.
///
/// A load locks out other writers (not readers), then copies (binary `COPY`) each new
/// city's rows into a partition of its own, built and attached in one go, and merges the
/// rows of cities already stored through a temporary table with `INSERT ... ON CONFLICT
/// DO UPDATE`; all in one transaction: it happens completely or not at all, even when
/// the server goes away part way. One connection per store, used under a lock; a broken
/// connection is re-established on the next call.
///
/// ```swift
/// let store = try PostgresStore(url: "postgresql://forecast@127.0.0.1:5432/forecast")
/// try store.migrate()
/// try store.upsert(batch)
/// ```
public final class PostgresStore: ObservationStore, @unchecked Sendable {
    // @unchecked: the connection is only touched while `lock` is held.
    private let lock = GuardLock(0)
    private let connection: PostgresConnection
    /// Every variable, once the database's schema is known to have them all (read under `lock`).
    private var completeVariables: [Variable]?
    /// The URL with any password removed, for messages.
    public let displayURL: String

    /// Connects to the server named by a `postgresql://` (or `postgres://`) URL; does not migrate.
    public init(url: String) throws(StoreError) {
        connection = try PostgresConnection(url: url)
        displayURL = connection.displayURL
    }

    // MARK: ObservationStore

    /// Applies every pending migration in one transaction, serialised across processes by an advisory lock.
    public func migrate() throws {
        try migrate(through: Migration.latestVersion)
    }

    /// Applies the pending migrations up to `version` (to test upgrades), as ``migrate()``.
    public func migrate(through version: Int) throws {
        try lock.withLock { _ throws(StoreError) in
            try ensureConnected()
            try transaction { () throws(StoreError) in
                _ = try execute("SELECT pg_advisory_xact_lock(7046711)")
                _ = try execute(Migration.historyTable)
                let current = try execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").int(0, 0)
                if current > Migration.latestVersion { throw Migration.tooNew(current, store: displayURL) }
                for migration in Migration.all where migration.version > current && migration.version <= version {
                    for statement in migration.postgres { _ = try execute(statement) }
                    _ = try execute("INSERT INTO schema_migrations(version, summary, applied_at) VALUES ($1, $2, $3)",
                                    ["\(migration.version)", migration.summary, "\(Int64(Date().timeIntervalSince1970))"])
                }
            }
        }
    }

    /// Writes the rows of `batch` in one transaction (see ``ObservationStore/upsert(_:progress:beforeCommit:)``),
    /// encoded for binary `COPY` straight from the columns, calling `progress` with the
    /// number of rows sent after each chunk of COPY data.
    ///
    /// Rows are kept per city in a partition of `city_observations`. A city without one
    /// yet (its first load) gets a new table, filled by `COPY`, indexed in one sorted pass
    /// and attached as its partition: nothing can conflict there, and building the
    /// primary key after the rows costs far less than maintaining it row by row. Rows of
    /// cities already stored are copied into a temporary table and merged with
    /// `INSERT ... ON CONFLICT DO UPDATE`, skipping rows equal to the stored ones (a
    /// reload of unchanged data rewrites nothing). One transaction, one loader at a time
    /// (`SHARE ROW EXCLUSIVE`); readers are never blocked, and see all or nothing.
    public func upsert(_ batch: ObservationBatch, progress: (Int) -> Void, beforeCommit: () throws -> Void) throws {
        try CommitHook.run(beforeCommit) { hook throws in
            try write(BatchRows(batch: batch), progress: progress, beforeCommit: hook)
        }
    }

    /// Writes `rows` in one transaction (see ``upsert(_:progress:beforeCommit:)``), running `beforeCommit` just before the commit.
    private func write(_ rows: BatchRows, progress: (Int) -> Void, beforeCommit: () throws(StoreError) -> Void) throws(StoreError) {
        try lock.withLock { _ throws(StoreError) in
            try ensureConnected()
            try transaction { () throws(StoreError) in
                _ = try execute("LOCK TABLE city_observations IN SHARE ROW EXCLUSIVE MODE")
                let ids = try cityIDs(rows.cities)
                let partitioned = try partitionedCityIDs()
                let newCities = rows.cities.indices.filter { !partitioned.contains(ids[$0]) }.sorted { ids[$0] < ids[$1] }
                let stored = rows.cities.indices.filter { partitioned.contains(ids[$0]) }
                // The columns of the variables the load has; the others keep their stored values.
                let variables = rows.variables.isEmpty ? [tableVariables[0]] : rows.variables
                var sent = 0
                for city in newCities {
                    let id = ids[city]
                    let partition = Migration.postgresPartition(cityID: Int64(id))
                    _ = try execute("CREATE TABLE \(partition) (LIKE city_observations INCLUDING CONSTRAINTS INCLUDING DEFAULTS, CHECK (city_id = \(id)))")
                    try copy(rows.rows(ofCity: city), ids: ids, variables: variables, into: partition, sent: &sent, progress: progress)
                    _ = try execute("ALTER TABLE \(partition) ADD PRIMARY KEY (city_id, time)")
                    _ = try execute("ALTER TABLE city_observations ATTACH PARTITION \(partition) FOR VALUES IN (\(id))")
                }
                if !stored.isEmpty {
                    try merge(stored.lazy.flatMap { rows.rows(ofCity: $0) }, ids: ids, variables: variables, sent: &sent, progress: progress)
                }
                try beforeCommit()
            }
        }
    }

    /// Upserts `rows` (of cities that already have a partition) through a temporary table;
    /// a missing value (NULL) in a new row never replaces a stored one, nor does an
    /// interpolated value replace a measured one.
    private func merge<Rows: Sequence<LoadRow>>(_ rows: Rows, ids: [Int32], variables: [Variable], sent: inout Int,
                                               progress: (Int) -> Void) throws(StoreError) {
        let doubles = variables.map { "\($0.name) DOUBLE PRECISION" }.joined(separator: ", ")
        _ = try execute("""
            CREATE TEMP TABLE observations_load (
                city_id INTEGER NOT NULL, time BIGINT NOT NULL,
                \(doubles), imputed SMALLINT NOT NULL
            ) ON COMMIT DROP
            """)
        try copy(rows, ids: ids, variables: variables, into: "observations_load", sent: &sent, progress: progress)
        // Statistics let the planner choose between index probes (a small load) and a hash join.
        _ = try execute("ANALYZE observations_load")
        _ = try execute(Self.mergeSQL(variables))
    }

    /// Per variable of `variables` (those the load has), the stored value stays when the new
    /// one is missing, or interpolated while the stored one was measured; a row is touched
    /// only when something changes. The other variables' values and imputed bits stay as stored.
    private static func mergeSQL(_ variables: [Variable]) -> String {
        func keep(_ variable: Variable) -> String {
            let c = variable.name, b = variable.imputedBit
            return "(l.\(c) IS NULL OR ((l.imputed & \(b)) = \(b) AND o.\(c) IS NOT NULL AND (o.imputed & \(b)) = 0))"
        }
        let untouched = tableVariables.filter { !variables.contains($0) }.reduce(UInt8(0)) { $0 | $1.imputedBit }
        let values = variables.map { "CASE WHEN \(keep($0)) THEN o.\($0.name) ELSE l.\($0.name) END" }
        let marks = variables.map { "(CASE WHEN \(keep($0)) THEN COALESCE(o.imputed, 0) & \($0.imputedBit) ELSE l.imputed & \($0.imputedBit) END)" }
            + (untouched == 0 ? [] : ["(COALESCE(o.imputed, 0) & \(untouched))"])
        let changes = variables.map {
            "(NOT \(keep($0)) AND (o.\($0.name) IS DISTINCT FROM l.\($0.name) OR (o.imputed & \($0.imputedBit)) <> (l.imputed & \($0.imputedBit))))"
        }
        return """
            INSERT INTO city_observations(city_id, time, \(variables.map(\.name).joined(separator: ", ")), imputed)
            SELECT l.city_id, l.time,
                   \(values.joined(separator: ",\n       ")),
                   \(marks.joined(separator: "\n     | "))
            FROM observations_load l LEFT JOIN city_observations o ON o.city_id = l.city_id AND o.time = l.time
            WHERE o.city_id IS NULL
               OR \(changes.joined(separator: "\n   OR "))
            ON CONFLICT (city_id, time) DO UPDATE
            SET \(variables.map { "\($0.name) = EXCLUDED.\($0.name)" }.joined(separator: ", ")), imputed = EXCLUDED.imputed
            """
    }

    /// The id of each of `names` (by position), adding the ones the `cities` table does
    /// not have yet (inside the caller's transaction).
    private func cityIDs(_ names: [String]) throws(StoreError) -> [Int32] {
        guard !names.isEmpty else { return [] }
        let array = Self.textArrayLiteral(names)
        _ = try execute("INSERT INTO cities(name) SELECT unnest($1::text[]) ON CONFLICT (name) DO NOTHING", [array])
        let found = try execute("SELECT id, name FROM cities WHERE name = ANY($1::text[])", [array])
        var byName: [String: Int32] = [:]
        for row in 0..<found.rows {
            guard let name = found.string(row, 1), let id = Int32(found.string(row, 0) ?? "") else { continue }
            byName[name] = id
        }
        var ids: [Int32] = []
        for name in names {
            guard let id = byName[name] else { throw StoreError(.query, "PostgreSQL (\(displayURL)): city '\(name)' has no id after it was added") }
            ids.append(id)
        }
        return ids
    }

    /// The city ids that have a partition of `city_observations`.
    private func partitionedCityIDs() throws(StoreError) -> Set<Int32> {
        let result = try execute("""
            SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'city_observations'::regclass
            """)
        let prefix = "city_observations_"
        var ids: Set<Int32> = []
        for row in 0..<result.rows {
            if let name = result.string(row, 0), name.hasPrefix(prefix), let id = Int32(name.dropFirst(prefix.count)) { ids.insert(id) }
        }
        return ids
    }

    /// A PostgreSQL text array literal of `values`, quoted and escaped (`{"a","b \\"c"}`).
    static func textArrayLiteral(_ values: [String]) -> String {
        "{" + values.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }.joined(separator: ",") + "}"
    }

    /// The cities with at least one observation, sorted.
    public func cities() throws -> [String] {
        try lock.withLock { _ throws(StoreError) in
            try ensureConnected()
            // Schema 2 keeps city names in `cities`; a database still at schema 1 (a server
            // reads without migrating) has only the observations table.
            let hasCities = try execute("SELECT to_regclass('cities') IS NOT NULL").string(0, 0) == "t"
            let result = try execute(hasCities ? """
                SELECT c.name FROM cities c
                CROSS JOIN LATERAL (SELECT 1 FROM city_observations o WHERE o.city_id = c.id LIMIT 1) AS stored
                ORDER BY c.name
                """ : "SELECT DISTINCT city FROM observations ORDER BY city")
            return (0..<result.rows).map { result.string($0, 0) ?? "" }
        }
    }

    /// The stored hours of `city` in `from...to` as columns, with their interpolation marks:
    /// one query over the city's partition.
    public func series(city: String, from: Int64?, to: Int64?) throws -> CitySeries? {
        try lock.withLock { _ throws(StoreError) in
            try ensureConnected()
            let variables = try storedVariables()
            let names = variables.map { ", o." + $0.name }.joined()
            // A database still at schema 1 or 2 (a server reads without migrating) has no
            // marks, and schema 1 has no `cities` table: the view has the values then.
            let result = try execute(try hasImputedMarks() ? """
                SELECT o.time\(names), o.imputed FROM city_observations o JOIN cities c ON c.id = o.city_id
                WHERE c.name = $1 AND o.time >= $2 AND o.time <= $3 ORDER BY o.time
                """ : """
                SELECT o.time\(names), 0 FROM observations o
                WHERE o.city = $1 AND o.time >= $2 AND o.time <= $3 ORDER BY o.time
                """, [city, "\(from ?? Int64.min)", "\(to ?? Int64.max)"])
            var times: [Int64] = []
            var values = [[Double]](repeating: [], count: variables.count)
            var marks: [UInt8] = []
            times.reserveCapacity(result.rows)
            for row in 0..<result.rows {
                times.append(result.string(row, 0).flatMap { Int64($0) } ?? 0)
                for position in variables.indices { values[position].append(result.string(row, position + 1).flatMap(Double.init) ?? .nan) }
                marks.append(UInt8(truncatingIfNeeded: result.int(row, variables.count + 1)))
            }
            return CitySeries(city: city, times: times, variables: variables, values: values, marks: marks)
        }
    }

    /// The hours each variable of each of `cities` has stored values at, one query per city.
    public func coverage(cities: [String]) throws -> [String: StoredCoverage] {
        try lock.withLock { _ throws(StoreError) in
            try ensureConnected()
            var result: [String: StoredCoverage] = [:]
            let variables = try storedVariables()
            let sql = StoredCoverage.query(placeholder: "$1", variables: variables)
            for city in cities {
                let row = try execute(sql, [city])
                var ranges: [Variable: HourRange] = [:]
                for (offset, variable) in variables.enumerated() {
                    let column = offset * 3
                    guard row.int(0, column + 2) > 0, let first = row.string(0, column).flatMap({ Int64($0) }),
                          let last = row.string(0, column + 1).flatMap({ Int64($0) }) else { continue }
                    ranges[variable] = HourRange(first: first, last: last, count: row.int(0, column + 2))
                }
                if !ranges.isEmpty { result[city] = StoredCoverage(ranges: ranges) }
            }
            return result
        }
    }

    // MARK: Extras

    /// The schema version recorded in the database (0 before the first migration).
    public func schemaVersion() throws -> Int {
        try lock.withLock { _ throws(StoreError) in
            try ensureConnected()
            let exists = try execute("SELECT to_regclass('schema_migrations') IS NOT NULL").string(0, 0) == "t"
            return exists ? try execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").int(0, 0) : 0
        }
    }

    /// Runs `body` with the libpq connection (connected first), under the store's lock:
    /// what the test support's maintenance helpers (raw SQL, the backend's pid) are built
    /// on; never while a call of the store runs.
    package func withConnection<R: Sendable>(_ body: (OpaquePointer?) throws -> R) throws -> R {
        try lock.withLock { _ throws in
            try ensureConnected()
            return try body(connection.pointer)
        }
    }

    // MARK: Helpers (call with the lock held)

    /// The variables the database's `observations` view has a column for: every variable
    /// once the schema is the newest; fewer on a database a reader uses without migrating.
    /// Remembered once complete, since a schema only grows.
    private func storedVariables() throws(StoreError) -> [Variable] {
        if let known = completeVariables { return known }
        let result = try execute("""
            SELECT a.attname FROM pg_attribute a
            WHERE a.attrelid = to_regclass('observations') AND a.attnum > 0 AND NOT a.attisdropped
            """)
        let names = Set((0..<result.rows).compactMap { result.string($0, 0) })
        let variables = Variable.allCases.filter { names.contains($0.name) }
        if variables.count == Variable.allCases.count { completeVariables = variables }
        return variables
    }

    /// Whether `city_observations` has the interpolation marks (schema 3 on); known once
    /// the schema is complete.
    private func hasImputedMarks() throws(StoreError) -> Bool {
        if completeVariables != nil { return true }
        return try execute("""
            SELECT COUNT(*) FROM pg_attribute
            WHERE attrelid = to_regclass('city_observations') AND attname = 'imputed' AND NOT attisdropped
            """).int(0, 0) > 0
    }

    private func ensureConnected() throws(StoreError) {
        try connection.ensureConnected()
    }

    @discardableResult
    private func execute(_ sql: String, _ parameters: [String] = []) throws(StoreError) -> QueryResult {
        try connection.execute(sql, parameters)
    }

    private func transaction<R>(_ body: () throws(StoreError) -> R) throws(StoreError) -> R {
        try connection.transaction(body)
    }

    /// Streams `rows` into `target` with binary COPY, about 1 MiB per
    /// chunk, adding to `sent` and reporting it after each chunk.
    private func copy<Rows: Sequence<LoadRow>>(_ rows: Rows, ids: [Int32], variables: [Variable], into target: String,
                                              sent: inout Int, progress: (Int) -> Void) throws(StoreError) {
        let columns = variables.map(\.name).joined(separator: ", ")
        try connection.beginCopy("COPY \(target) (city_id, time, \(columns), imputed) FROM STDIN WITH (FORMAT binary)")
        let chunk = 1 << 20
        let indices = variables.map(\.index)
        var encoder = PostgresBinaryCopy(reserving: chunk + 256)
        var pending = 0
        func flush() throws(StoreError) {
            try connection.sendCopyData(encoder.buffer, rowsSent: sent)
            encoder.buffer.removeAll(keepingCapacity: true)
            sent += pending
            pending = 0
            progress(sent)
        }
        for row in rows {
            encoder.appendRow(cityID: ids[row.city], time: row.time, values: row.values, indices: indices, imputed: row.imputed)
            pending += 1
            if encoder.buffer.count >= chunk { try flush() }
        }
        encoder.appendTrailer()
        try flush()
        try connection.endCopy()
    }
}
