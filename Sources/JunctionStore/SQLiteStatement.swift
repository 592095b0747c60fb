import CSQLite

/// One prepared SQL statement (`sqlite3_stmt`), finalized exactly once when the
/// object goes away. Parameters and columns are numbered from 1 and 0
/// respectively, as in SQLite.
///
/// Not thread-safe: use it on one thread at a time, like the ``SQLiteDatabase``
/// it came from. Call ``reset()`` when done with a result (a statement that was
/// stepped and not reset keeps its read transaction, and with it the WAL
/// snapshot, open).
///
/// ```swift
/// let select = try db.prepare("SELECT id, name FROM t WHERE id > ?1 ORDER BY id")
/// defer { select.reset() }
/// try select.bind(Int64(10), at: 1)
/// while try select.step() {
///     print(select.int64(at: 0), select.string(at: 1) ?? "NULL")
/// }
/// ```
public final class SQLiteStatement {
    private let handle: OpaquePointer
    /// The database file, for error messages.
    let path: String

    /// Takes ownership of `handle`, a statement prepared on a connection to `path`.
    init(handle: OpaquePointer, path: String) {
        self.handle = handle
        self.path = path
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// The SQL text the statement was prepared from.
    ///
    /// ```swift
    /// print(statement.sql)
    /// ```
    public var sql: String {
        sqlite3_sql(handle).map { String(cString: $0) } ?? ""
    }

    private func check(_ code: Int32, _ operation: String) throws(StoreError) {
        guard code == SQLITE_OK else {
            throw StoreError.sqlite(code, db: sqlite3_db_handle(handle), path: path, operation: operation)
        }
    }

    // MARK: Binding

    /// Binds an integer to parameter `index` (1-based).
    ///
    /// ```swift
    /// try statement.bind(Int64(42), at: 1)
    /// ```
    public func bind(_ value: Int64, at index: Int) throws(StoreError) {
        try check(sqlite3_bind_int64(handle, Int32(index), value), "bind")
    }

    /// Binds UTF-8 text to parameter `index` (1-based). SQLite copies it.
    ///
    /// ```swift
    /// try statement.bind("ops", at: 2)
    /// ```
    public func bind(_ value: String, at index: Int) throws(StoreError) {
        var value = value
        let code = value.withUTF8 { utf8 -> Int32 in
            // A nil pointer would bind NULL: an empty string needs a real (empty) buffer.
            guard let base = utf8.baseAddress, !utf8.isEmpty else {
                return sqlite3_bind_text(handle, Int32(index), "", 0, junction_sqlite_transient())
            }
            return base.withMemoryRebound(to: CChar.self, capacity: utf8.count) {
                sqlite3_bind_text64(
                    handle, Int32(index), $0, sqlite3_uint64(utf8.count),
                    junction_sqlite_transient(), UInt8(SQLITE_UTF8)
                )
            }
        }
        try check(code, "bind")
    }

    /// Binds bytes as a BLOB to parameter `index` (1-based). SQLite copies them;
    /// an empty array binds an empty BLOB, not NULL.
    ///
    /// ```swift
    /// try statement.bind(Array("hello".utf8), at: 3)
    /// ```
    public func bind(_ value: [UInt8], at index: Int) throws(StoreError) {
        let code = value.withUnsafeBytes { bytes -> Int32 in
            guard let base = bytes.baseAddress, !bytes.isEmpty else {
                return sqlite3_bind_zeroblob(handle, Int32(index), 0)
            }
            return sqlite3_bind_blob64(handle, Int32(index), base, sqlite3_uint64(bytes.count), junction_sqlite_transient())
        }
        try check(code, "bind")
    }

    /// Binds SQL NULL to parameter `index` (1-based).
    ///
    /// ```swift
    /// try statement.bindNull(at: 4)
    /// ```
    public func bindNull(at index: Int) throws(StoreError) {
        try check(sqlite3_bind_null(handle, Int32(index)), "bind")
    }

    /// Binds text, or NULL when `value` is nil, to parameter `index` (1-based).
    ///
    /// ```swift
    /// try statement.bind(lastError as String?, at: 4)
    /// ```
    public func bind(_ value: String?, at index: Int) throws(StoreError) {
        if let value { try bind(value, at: index) } else { try bindNull(at: index) }
    }

    /// Binds an integer, or NULL when `value` is nil, to parameter `index` (1-based).
    ///
    /// ```swift
    /// try statement.bind(since as Int64?, at: 2)
    /// ```
    public func bind(_ value: Int64?, at index: Int) throws(StoreError) {
        if let value { try bind(value, at: index) } else { try bindNull(at: index) }
    }

    // MARK: Running

    /// Runs the statement to its next row: `true` when a row is ready to be read
    /// with the column accessors, `false` when the statement is done.
    ///
    /// ```swift
    /// while try statement.step() { rows.append(statement.int64(at: 0)) }
    /// ```
    public func step() throws(StoreError) -> Bool {
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw StoreError.sqlite(code, db: sqlite3_db_handle(handle), path: path, operation: "step")
        }
    }

    /// Runs a statement that returns no rows (INSERT, UPDATE, DELETE, …) to the end.
    ///
    /// ```swift
    /// try delete.bind(id, at: 1)
    /// try delete.run()
    /// delete.reset()
    /// ```
    public func run() throws(StoreError) {
        while try step() {}
    }

    /// Makes the statement ready to run again and clears its bindings. Ends the
    /// read it had in progress (releasing the WAL snapshot it held).
    ///
    /// ```swift
    /// statement.reset()
    /// ```
    public func reset() {
        // sqlite3_reset repeats the last step's error, which step() already reported.
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    // MARK: Columns of the current row

    /// Whether column `index` (0-based) of the current row is NULL.
    ///
    /// ```swift
    /// let hasError = !statement.isNull(at: 8)
    /// ```
    public func isNull(at index: Int) -> Bool {
        sqlite3_column_type(handle, Int32(index)) == SQLITE_NULL
    }

    /// Column `index` (0-based) of the current row as an integer (0 for NULL).
    ///
    /// ```swift
    /// let id = statement.int64(at: 0)
    /// ```
    public func int64(at index: Int) -> Int64 {
        sqlite3_column_int64(handle, Int32(index))
    }

    /// Column `index` (0-based) of the current row as text, nil for NULL.
    ///
    /// ```swift
    /// let target = statement.string(at: 1) ?? ""
    /// ```
    public func string(at index: Int) -> String? {
        guard let text = sqlite3_column_text(handle, Int32(index)) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, Int32(index)))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    /// Column `index` (0-based) of the current row as bytes ([] for NULL or an empty BLOB).
    ///
    /// ```swift
    /// let payload = statement.bytes(at: 3)
    /// ```
    public func bytes(at index: Int) -> [UInt8] {
        // The pointer first, then the size: that order keeps the value in its BLOB form.
        guard let blob = sqlite3_column_blob(handle, Int32(index)) else { return [] }
        let count = Int(sqlite3_column_bytes(handle, Int32(index)))
        return Array(UnsafeRawBufferPointer(start: blob, count: count))
    }
}
