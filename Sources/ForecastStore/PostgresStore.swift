import CLibPQ
import Foundation
import Synchronization

/// The production store: PostgreSQL through libpq, bulk loads with `COPY FROM STDIN`.
///
/// A load locks out other writers (not readers), then either copies the rows straight
/// into `observations` (when none of its cities is stored yet, so nothing can conflict)
/// or copies them into a temporary table and merges them with `INSERT ... ON CONFLICT
/// DO UPDATE`; all in one transaction: it happens completely or not at all, even when
/// the server goes away part way. One connection
/// per store, used under a lock; a broken connection is re-established on the next call.
///
/// ```swift
/// let store = try PostgresStore(url: "postgresql://forecast@127.0.0.1:5432/forecast")
/// try store.migrate()
/// try store.upsert(observations)
/// ```
public final class PostgresStore: ObservationStore, @unchecked Sendable {
    // @unchecked: the connection pointer is only touched while `lock` is held.
    private let lock = Mutex(())
    private let connection: OpaquePointer
    /// The URL with any password removed, for messages.
    public let displayURL: String

    /// Connects to the server named by a `postgresql://` (or `postgres://`) URL; does not migrate.
    public init(url: String) throws(StoreError) {
        guard url.hasPrefix("postgresql://") || url.hasPrefix("postgres://") else {
            throw StoreError(.badURL, "not a PostgreSQL URL: \(url) (expected postgresql://user@host:port/database)")
        }
        displayURL = Self.redacted(url)
        guard let connection = PQconnectdb(url) else {
            throw StoreError(.connection, "cannot connect to \(displayURL): libpq is out of memory")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = Self.trimmed(PQerrorMessage(connection))
            PQfinish(connection)
            throw StoreError(.connection, "cannot connect to \(displayURL): \(message)")
        }
        self.connection = connection
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
    }

    deinit {
        PQfinish(connection)
    }

    // MARK: ObservationStore

    /// Applies every pending migration in one transaction, serialised across processes by an advisory lock.
    public func migrate() throws {
        try lock.withLock { _ throws(StoreError) in
            try ensureConnected()
            try transaction { () throws(StoreError) in
                _ = try execute("SELECT pg_advisory_xact_lock(7046711)")
                _ = try execute(Migration.historyTable)
                let current = try execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").int(0, 0)
                if current > Migration.latestVersion { throw Migration.tooNew(current, store: displayURL) }
                for migration in Migration.all where migration.version > current {
                    for statement in migration.postgres { _ = try execute(statement) }
                    _ = try execute("INSERT INTO schema_migrations(version, summary, applied_at) VALUES ($1, $2, $3)",
                                    ["\(migration.version)", migration.summary, "\(Int64(Date().timeIntervalSince1970))"])
                }
            }
        }
    }

    /// Inserts or replaces `observations` in one transaction; on any error nothing changes.
    public func upsert(_ observations: [Observation]) throws {
        try upsert(observations, progress: { _ in })
    }

    /// As ``upsert(_:)``, calling `progress` with the number of rows sent after each chunk of COPY data.
    public func upsert(_ observations: [Observation], progress: (Int) -> Void) throws {
        let rows = observations.lastPerKey()
        try lock.withLock { _ throws(StoreError) in
            try ensureConnected()
            try transaction { () throws(StoreError) in
                // One loader at a time (readers are not blocked), so the check below stays true.
                _ = try execute("LOCK TABLE observations IN SHARE ROW EXCLUSIVE MODE")
                let cities = Array(Set(rows.map(\.city))).sorted()
                let arrayLiteral = "{" + cities.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }.joined(separator: ",") + "}"
                let present = try execute("SELECT EXISTS (SELECT 1 FROM observations WHERE city = ANY($1::text[]))", [arrayLiteral])
                if present.string(0, 0) == "f" {
                    // Nothing of these cities is stored yet, so no row can conflict: COPY straight in.
                    try copy(rows, into: "observations(city, time, temperature, humidity)", progress: progress)
                    return
                }
                _ = try execute("""
                    CREATE TEMP TABLE observations_load (
                        city TEXT NOT NULL, time BIGINT NOT NULL,
                        temperature DOUBLE PRECISION, humidity DOUBLE PRECISION
                    ) ON COMMIT DROP
                    """)
                try copy(rows, into: "observations_load(city, time, temperature, humidity)", progress: progress)
                _ = try execute("""
                    INSERT INTO observations(city, time, temperature, humidity)
                    SELECT city, time, temperature, humidity FROM observations_load
                    ON CONFLICT (city, time) DO UPDATE SET temperature = EXCLUDED.temperature, humidity = EXCLUDED.humidity
                    """)
            }
        }
    }

    /// The cities with at least one observation, sorted.
    public func cities() throws -> [String] {
        try lock.withLock { _ throws(StoreError) in
            try ensureConnected()
            let result = try execute("SELECT DISTINCT city FROM observations ORDER BY city")
            return (0..<result.rows).map { result.string($0, 0) ?? "" }
        }
    }

    /// The observations of `city` with `from <= time <= to`, oldest first.
    public func observations(city: String, from: Int64?, to: Int64?) throws -> [Observation] {
        try lock.withLock { _ throws(StoreError) in
            try ensureConnected()
            let result = try execute("""
                SELECT time, temperature, humidity FROM observations
                WHERE city = $1 AND time >= $2 AND time <= $3 ORDER BY time
                """, [city, "\(from ?? Int64.min)", "\(to ?? Int64.max)"])
            return (0..<result.rows).map { row in
                Observation(city: city, time: Int64(result.string(row, 0) ?? "") ?? 0,
                            temperature: result.string(row, 1).flatMap(Double.init),
                            humidity: result.string(row, 2).flatMap(Double.init))
            }
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

    /// Every row of the observations table ordered by city and time (for checks and exports).
    public func allObservations() throws -> [Observation] {
        try lock.withLock { _ throws(StoreError) in
            try ensureConnected()
            let result = try execute("SELECT city, time, temperature, humidity FROM observations ORDER BY city, time")
            return (0..<result.rows).map { row in
                Observation(city: result.string(row, 0) ?? "", time: Int64(result.string(row, 1) ?? "") ?? 0,
                            temperature: result.string(row, 2).flatMap(Double.init),
                            humidity: result.string(row, 3).flatMap(Double.init))
            }
        }
    }

    /// The server process id serving this connection (`pg_backend_pid()`).
    public func backendPID() -> Int32 {
        lock.withLock { _ in PQbackendPID(connection) }
    }

    /// Runs one SQL command (e.g. `DROP TABLE`, `TRUNCATE`) outside any load; for maintenance and tests.
    public func run(_ sql: String) throws {
        try lock.withLock { _ throws(StoreError) in
            try ensureConnected()
            _ = try execute(sql)
        }
    }

    // MARK: Helpers (call with the lock held)

    private func ensureConnected() throws(StoreError) {
        if PQstatus(connection) == CONNECTION_OK { return }
        PQreset(connection)
        guard PQstatus(connection) == CONNECTION_OK else {
            throw StoreError(.connection, "lost the connection to \(displayURL) and cannot reconnect: \(Self.trimmed(PQerrorMessage(connection)))")
        }
    }

    @discardableResult
    private func execute(_ sql: String, _ parameters: [String] = []) throws(StoreError) -> QueryResult {
        let raw: OpaquePointer?
        if parameters.isEmpty {
            raw = PQexec(connection, sql)
        } else {
            let copies = parameters.map { strdup($0) }
            defer { copies.forEach { free($0) } }
            raw = copies.map { UnsafePointer($0) }.withUnsafeBufferPointer { pointers in
                PQexecParams(connection, sql, Int32(parameters.count), nil, pointers.baseAddress, nil, nil, 0)
            }
        }
        let result = QueryResult(raw)
        let status = raw.map { PQresultStatus($0) } ?? PGRES_FATAL_ERROR
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            throw StoreError(.query, "PostgreSQL (\(displayURL)): \(errorText(raw))")
        }
        return result
    }

    private func errorText(_ result: OpaquePointer?) -> String {
        if let result, let message = PQresultErrorMessage(result), message.pointee != 0 {
            return Self.trimmed(message)
        }
        return Self.trimmed(PQerrorMessage(connection))
    }

    private func transaction<R>(_ body: () throws(StoreError) -> R) throws(StoreError) -> R {
        _ = try execute("BEGIN")
        do {
            let value = try body()
            _ = try execute("COMMIT")
            return value
        } catch {
            if PQstatus(connection) == CONNECTION_OK {
                // Leave any unfinished COPY, then roll back; the server discards everything either way.
                while let pending = PQgetResult(connection) { PQclear(pending) }
                _ = try? execute("ROLLBACK")
            }
            throw error
        }
    }

    /// Streams `rows` in COPY text format, about 1 MiB per chunk.
    private func copy(_ rows: [Observation], into target: String, progress: (Int) -> Void) throws(StoreError) {
        _ = try expect(PQexec(connection, "COPY \(target) FROM STDIN"), PGRES_COPY_IN)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20 + 4096)
        var sent = 0
        func flush(_ count: Int) throws(StoreError) {
            let status = buffer.withUnsafeBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) { PQputCopyData(connection, $0.baseAddress, Int32($0.count)) }
            }
            guard status == 1 else {
                let message = Self.trimmed(PQerrorMessage(connection))
                _ = PQputCopyEnd(connection, "client failed")
                throw StoreError(.query, "PostgreSQL (\(displayURL)): sending COPY data failed after \(sent) rows: \(message); nothing was written")
            }
            buffer.removeAll(keepingCapacity: true)
            sent = count
            progress(sent)
        }
        for (index, row) in rows.enumerated() {
            Self.appendEscaped(row.city, to: &buffer)
            buffer.append(9)
            buffer.append(contentsOf: String(row.time).utf8)
            buffer.append(9)
            Self.append(row.temperature, to: &buffer)
            buffer.append(9)
            Self.append(row.humidity, to: &buffer)
            buffer.append(10)
            if buffer.count >= 1 << 20 { try flush(index + 1) }
        }
        if !buffer.isEmpty { try flush(rows.count) }
        guard PQputCopyEnd(connection, nil) == 1 else {
            throw StoreError(.query, "PostgreSQL (\(displayURL)): ending COPY failed: \(Self.trimmed(PQerrorMessage(connection))); nothing was written")
        }
        let result = PQgetResult(connection)
        defer { PQclear(result) }
        guard let result, PQresultStatus(result) == PGRES_COMMAND_OK else {
            let text = errorText(result)
            throw StoreError(.query, "PostgreSQL (\(displayURL)): COPY failed: \(text); nothing was written")
        }
        while let extra = PQgetResult(connection) { PQclear(extra) }
    }

    private func expect(_ raw: OpaquePointer?, _ wanted: ExecStatusType) throws(StoreError) -> OpaquePointer? {
        let status = raw.map { PQresultStatus($0) } ?? PGRES_FATAL_ERROR
        guard status == wanted else {
            let text = errorText(raw)
            PQclear(raw)
            throw StoreError(.query, "PostgreSQL (\(displayURL)): \(text)")
        }
        PQclear(raw)
        return nil
    }

    private static func append(_ value: Double?, to buffer: inout [UInt8]) {
        guard let value else {
            buffer.append(UInt8(ascii: "\\"))
            buffer.append(UInt8(ascii: "N"))
            return
        }
        buffer.append(contentsOf: value.description.utf8)
    }

    /// COPY text format: backslash, tab, newline and carriage return are escaped.
    private static func appendEscaped(_ text: String, to buffer: inout [UInt8]) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): buffer.append(contentsOf: [92, 92])
            case 9: buffer.append(contentsOf: [92, UInt8(ascii: "t")])
            case 10: buffer.append(contentsOf: [92, UInt8(ascii: "n")])
            case 13: buffer.append(contentsOf: [92, UInt8(ascii: "r")])
            default: buffer.append(byte)
            }
        }
    }

    private static func trimmed(_ message: UnsafePointer<CChar>?) -> String {
        guard let message else { return "unknown error" }
        let text = String(cString: message).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "unknown error" : text.replacingOccurrences(of: "\n", with: " ")
    }

    /// `url` with the password (if any) replaced by `***`.
    static func redacted(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://"), let at = url[schemeEnd.upperBound...].firstIndex(of: "@") else { return url }
        let credentials = url[schemeEnd.upperBound..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + ":***" + String(url[at...])
    }
}

/// A libpq result, cleared when released.
final class QueryResult {
    private let raw: OpaquePointer?

    init(_ raw: OpaquePointer?) { self.raw = raw }

    deinit { PQclear(raw) }

    /// Number of rows.
    var rows: Int { raw.map { Int(PQntuples($0)) } ?? 0 }

    /// The text of a cell, or nil when it is NULL.
    func string(_ row: Int, _ column: Int) -> String? {
        guard let raw, row < rows, PQgetisnull(raw, Int32(row), Int32(column)) == 0 else { return nil }
        return String(cString: PQgetvalue(raw, Int32(row), Int32(column)))
    }

    /// The integer in a cell (0 when NULL or not a number).
    func int(_ row: Int, _ column: Int) -> Int {
        string(row, column).flatMap { Int($0) } ?? 0
    }
}
