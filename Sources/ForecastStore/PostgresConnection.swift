import CLibPQ
import Foundation
import ForecastVocabulary

/// One libpq connection: connecting, reconnecting, running a statement, streaming `COPY`
/// data, and libpq's errors as ``StoreError``s naming the server (password removed).
///
/// The one place the stores (``PostgresStore``, ``PostgresModelStore``) and the listener
/// (``PostgresModelListener``) talk to libpq. Not thread-safe, like libpq's connection:
/// its owner uses it under a lock or from one thread.
final class PostgresConnection {
    /// The libpq handle, for the calls this type does not wrap (`PQsocket`, `PQnotifies`).
    let pointer: OpaquePointer
    /// The URL with any password removed, for messages.
    let displayURL: String

    /// Connects to the server named by a `postgresql://` (or `postgres://`) URL; server
    /// notices (e.g. "relation already exists, skipping") are not printed.
    init(url: String) throws(StoreError) {
        guard url.hasPrefix("postgresql://") || url.hasPrefix("postgres://") else {
            throw StoreError(.badURL, "not a PostgreSQL URL: \(url) (expected postgresql://user@host:port/database)")
        }
        let displayURL = URLRedaction.redacted(url)
        guard let pointer = PQconnectdb(url) else {
            throw StoreError(.connection, "cannot connect to \(displayURL): libpq is out of memory")
        }
        guard PQstatus(pointer) == CONNECTION_OK else {
            let message = Self.trimmed(PQerrorMessage(pointer))
            PQfinish(pointer)
            throw StoreError(.connection, "cannot connect to \(displayURL): \(message)")
        }
        PQsetNoticeProcessor(pointer, { _, _ in }, nil)
        self.pointer = pointer
        self.displayURL = displayURL
    }

    deinit {
        PQfinish(pointer)
    }

    /// True while the connection is up.
    var isOpen: Bool { PQstatus(pointer) == CONNECTION_OK }

    /// libpq's message for the connection's last failure, on one line.
    var lastError: String { Self.trimmed(PQerrorMessage(pointer)) }

    /// Re-establishes a broken connection; throws when the server still cannot be reached.
    func ensureConnected() throws(StoreError) {
        if isOpen { return }
        PQreset(pointer)
        guard isOpen else {
            throw StoreError(.connection, "lost the connection to \(displayURL) and cannot reconnect: \(lastError)")
        }
    }

    /// Runs `sql` with text `parameters` (`$1`, `$2`, ...); without parameters `sql` may hold
    /// several statements.
    @discardableResult
    func execute(_ sql: String, _ parameters: [String] = []) throws(StoreError) -> QueryResult {
        let raw: OpaquePointer?
        if parameters.isEmpty {
            raw = PQexec(pointer, sql)
        } else {
            let copies = parameters.map { strdup($0) }
            defer { copies.forEach { free($0) } }
            raw = copies.map { UnsafePointer($0) }.withUnsafeBufferPointer { pointers in
                PQexecParams(pointer, sql, Int32(parameters.count), nil, pointers.baseAddress, nil, nil, 0)
            }
        }
        let result = QueryResult(raw)
        let status = raw.map { PQresultStatus($0) } ?? PGRES_FATAL_ERROR
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            throw StoreError(.query, "PostgreSQL (\(displayURL)): \(errorText(raw))")
        }
        return result
    }

    /// Runs `body` between `BEGIN` and `COMMIT`; when it throws, leaves any unfinished
    /// `COPY`, rolls back (while the connection is up) and rethrows.
    func transaction<R>(_ body: () throws(StoreError) -> R) throws(StoreError) -> R {
        try execute("BEGIN")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            if isOpen {
                // The server discards everything either way; leaving the COPY lets ROLLBACK run.
                while let pending = PQgetResult(pointer) { PQclear(pending) }
                _ = try? execute("ROLLBACK")
            }
            throw error
        }
    }

    // MARK: COPY FROM STDIN

    /// Starts `command`, a `COPY ... FROM STDIN`; send the data with ``sendCopyData(_:rowsSent:)``
    /// and finish with ``endCopy()``.
    func beginCopy(_ command: String) throws(StoreError) {
        let raw = PQexec(pointer, command)
        defer { PQclear(raw) }
        let status = raw.map { PQresultStatus($0) } ?? PGRES_FATAL_ERROR
        guard status == PGRES_COPY_IN else {
            throw StoreError(.query, "PostgreSQL (\(displayURL)): \(errorText(raw))")
        }
    }

    /// Sends one chunk of `COPY` data; on failure ends the `COPY` and throws, saying that
    /// `rowsSent` rows had gone before and nothing was written.
    func sendCopyData(_ bytes: [UInt8], rowsSent: Int) throws(StoreError) {
        let status = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { PQputCopyData(pointer, $0.baseAddress, Int32($0.count)) }
        }
        guard status == 1 else {
            let message = lastError
            _ = PQputCopyEnd(pointer, "client failed")
            throw StoreError(.query, "PostgreSQL (\(displayURL)): sending COPY data failed after \(rowsSent) rows: \(message); nothing was written")
        }
    }

    /// Ends the `COPY` and waits for the server's verdict on it.
    func endCopy() throws(StoreError) {
        guard PQputCopyEnd(pointer, nil) == 1 else {
            throw StoreError(.query, "PostgreSQL (\(displayURL)): ending COPY failed: \(lastError); nothing was written")
        }
        let result = PQgetResult(pointer)
        defer { PQclear(result) }
        guard let result, PQresultStatus(result) == PGRES_COMMAND_OK else {
            let text = errorText(result)
            throw StoreError(.query, "PostgreSQL (\(displayURL)): COPY failed: \(text); nothing was written")
        }
        while let extra = PQgetResult(pointer) { PQclear(extra) }
    }

    // MARK: Errors

    /// The error of `result`, else the connection's.
    private func errorText(_ result: OpaquePointer?) -> String {
        if let result, let message = PQresultErrorMessage(result), message.pointee != 0 {
            return Self.trimmed(message)
        }
        return lastError
    }

    /// A libpq message on one line, "unknown error" when there is none.
    static func trimmed(_ message: UnsafePointer<CChar>?) -> String {
        guard let message else { return "unknown error" }
        let text = String(cString: message).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "unknown error" : text.replacingOccurrences(of: "\n", with: " ")
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
