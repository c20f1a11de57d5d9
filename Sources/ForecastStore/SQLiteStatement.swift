import CSQLite

/// SQLite's marker telling it to copy bound text before the call returns.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

extension SQLiteStore {
    /// A prepared statement, finalised when released. Used only under the store's lock.
    final class Statement {
        private let db: OpaquePointer
        private let handle: OpaquePointer

        /// Prepares `sql` on `db`.
        init(_ db: OpaquePointer, _ sql: String) throws(StoreError) {
            self.db = db
            var statement: OpaquePointer?
            let status = sqlite3_prepare_v2(db, sql, -1, &statement, nil)
            guard status == SQLITE_OK, let statement else {
                throw StoreError(.query, "SQLite cannot prepare a statement: \(String(cString: sqlite3_errmsg(db)))")
            }
            handle = statement
        }

        deinit { sqlite3_finalize(handle) }

        private func check(_ status: Int32) throws(StoreError) {
            guard status == SQLITE_OK else { throw StoreError(.query, "SQLite: \(String(cString: sqlite3_errmsg(db)))") }
        }

        func bind(_ index: Int32, _ value: String) throws(StoreError) {
            try check(sqlite3_bind_text(handle, index, value, -1, transient))
        }

        func bind(_ index: Int32, _ value: Int64) throws(StoreError) {
            try check(sqlite3_bind_int64(handle, index, value))
        }

        func bind(_ index: Int32, _ value: Double?) throws(StoreError) {
            if let value { try check(sqlite3_bind_double(handle, index, value)) } else { try check(sqlite3_bind_null(handle, index)) }
        }

        /// Steps once; true when a row is available.
        func step() throws(StoreError) -> Bool {
            switch sqlite3_step(handle) {
            case SQLITE_ROW: return true
            case SQLITE_DONE: return false
            default: throw StoreError(.query, "SQLite: \(String(cString: sqlite3_errmsg(db)))")
            }
        }

        /// Steps a statement that returns no rows.
        func stepDone() throws(StoreError) {
            _ = try step()
        }

        /// Clears the statement for the next row (bindings are overwritten by the next bind).
        func reset() { sqlite3_reset(handle) }

        func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

        func double(_ column: Int32) -> Double? {
            sqlite3_column_type(handle, column) == SQLITE_NULL ? nil : sqlite3_column_double(handle, column)
        }

        func string(_ column: Int32) -> String {
            guard let text = sqlite3_column_text(handle, column) else { return "" }
            return String(cString: text)
        }
    }
}
