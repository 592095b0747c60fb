import CSQLite

/// One SQLite connection (`sqlite3*`), closed exactly once when the object goes away.
///
/// The connection is opened in `SQLITE_OPEN_NOMUTEX` mode: it is not thread-safe,
/// and its owner serialises every use (``Outbox`` holds it under a mutex).
/// Statements from ``prepare(_:)`` and ``cached(_:)`` may outlive it: the close is
/// `sqlite3_close_v2`, which waits for the last statement to be finalized.
///
/// ```swift
/// let db = try SQLiteDatabase(path: "/tmp/example.db")
/// try db.enableWAL()
/// try db.setSynchronous(.normal)
/// try db.execute("CREATE TABLE IF NOT EXISTS t(id INTEGER PRIMARY KEY, name TEXT)")
/// try db.transaction { () throws(StoreError) in
///     let insert = try db.cached("INSERT INTO t(name) VALUES (?1)")
///     defer { insert.reset() }
///     try insert.bind("a", at: 1)
///     try insert.run()
/// }
/// ```
public final class SQLiteDatabase {
    private let handle: OpaquePointer
    /// The database file.
    public let path: String
    private var statements: [String: SQLiteStatement] = [:]

    /// Opens (creating if missing) the database file at `path`, with a busy
    /// timeout so that a writer in another connection or process is waited for
    /// rather than reported as `SQLITE_BUSY`. The parent directory must exist.
    ///
    /// ```swift
    /// let db = try SQLiteDatabase(path: "/var/lib/junction/store.db", busyTimeout: .seconds(10))
    /// ```
    public init(path: String, busyTimeout: Duration = .seconds(5)) throws(StoreError) {
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let code = sqlite3_open_v2(path, &handle, flags, nil)
        guard let handle else {
            throw StoreError(code: SQLITE_NOMEM, message: "out of memory", path: path, operation: "open")
        }
        guard code == SQLITE_OK else {
            // sqlite3_open_v2 hands back a connection even when it fails; it must be closed.
            let error = StoreError.sqlite(code, db: handle, path: path, operation: "open")
            sqlite3_close_v2(handle)
            throw error
        }
        self.handle = handle
        self.path = path
        sqlite3_extended_result_codes(handle, 1)
        let (seconds, attoseconds) = busyTimeout.components
        let milliseconds = max(0, min(Int64(Int32.max), seconds * 1000 + attoseconds / 1_000_000_000_000_000))
        try check(sqlite3_busy_timeout(handle, Int32(milliseconds)), "busy_timeout")
    }

    deinit {
        // Cached statements are finalized after this, as the dictionary goes:
        // close_v2 defers the real close until the last one is.
        sqlite3_close_v2(handle)
    }

    private func check(_ code: Int32, _ operation: String) throws(StoreError) {
        guard code == SQLITE_OK else {
            throw StoreError.sqlite(code, db: handle, path: path, operation: operation)
        }
    }

    /// Runs one or more SQL statements that return no rows (rows are ignored).
    ///
    /// ```swift
    /// try db.execute("CREATE INDEX IF NOT EXISTS t_name ON t(name)")
    /// ```
    public func execute(_ sql: String) throws(StoreError) {
        try check(sqlite3_exec(handle, sql, nil, nil, nil), "execute")
    }

    /// Compiles `sql` (one statement) into a new statement owned by the caller.
    ///
    /// ```swift
    /// let count = try db.prepare("SELECT count(*) FROM t")
    /// _ = try count.step()
    /// print(count.int64(at: 0))
    /// ```
    public func prepare(_ sql: String) throws(StoreError) -> SQLiteStatement {
        try prepare(sql, flags: 0)
    }

    private func prepare(_ sql: String, flags: Int32) throws(StoreError) -> SQLiteStatement {
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v3(handle, sql, -1, UInt32(flags), &statement, nil)
        guard code == SQLITE_OK else {
            throw StoreError.sqlite(code, db: handle, path: path, operation: "prepare")
        }
        guard let statement else {
            throw StoreError(code: SQLITE_MISUSE, message: "no SQL statement in \"\(sql)\"", path: path, operation: "prepare")
        }
        return SQLiteStatement(handle: statement, path: path)
    }

    /// The statement for `sql`, compiled on first use and kept for the life of the
    /// connection. The caller resets it after use (it is shared with the next caller).
    ///
    /// ```swift
    /// let delete = try db.cached("DELETE FROM t WHERE id = ?1")
    /// defer { delete.reset() }
    /// try delete.bind(Int64(7), at: 1)
    /// try delete.run()
    /// ```
    public func cached(_ sql: String) throws(StoreError) -> SQLiteStatement {
        if let statement = statements[sql] { return statement }
        let statement = try prepare(sql, flags: SQLITE_PREPARE_PERSISTENT)
        statements[sql] = statement
        return statement
    }

    /// Runs `body` in one write transaction (`BEGIN IMMEDIATE`): committed when it
    /// returns, rolled back when it throws. Taking the write lock up front means a
    /// writer in another process is waited for (busy timeout) at `BEGIN`, never
    /// half-way through. Transactions do not nest.
    ///
    /// ```swift
    /// let ids = try db.transaction { () throws(StoreError) -> [Int64] in
    ///     try db.execute("INSERT INTO t(name) VALUES ('x')")
    ///     return [db.lastInsertRowID]
    /// }
    /// ```
    public func transaction<Result>(_ body: () throws(StoreError) -> Result) throws(StoreError) -> Result {
        guard sqlite3_get_autocommit(handle) != 0 else {
            throw StoreError(code: SQLITE_MISUSE, message: "transactions do not nest", path: path, operation: "begin")
        }
        let begin = try cached("BEGIN IMMEDIATE")
        defer { begin.reset() }
        try begin.run()
        let result: Result
        do {
            result = try body()
            let commit = try cached("COMMIT")
            defer { commit.reset() }
            try commit.run()
        } catch {
            rollback()
            throw error
        }
        return result
    }

    /// Rolls back the open transaction, if any (some errors already ended it).
    private func rollback() {
        guard sqlite3_get_autocommit(handle) == 0, let statement = try? cached("ROLLBACK") else { return }
        defer { statement.reset() }
        try? statement.run()
    }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    ///
    /// ```swift
    /// try db.execute("DELETE FROM t")
    /// print(db.changes)
    /// ```
    public var changes: Int { Int(sqlite3_changes64(handle)) }

    /// The rowid of the last row inserted on this connection.
    ///
    /// ```swift
    /// try db.execute("INSERT INTO t(name) VALUES ('y')")
    /// let id = db.lastInsertRowID
    /// ```
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Switches the file to write-ahead logging: readers in other connections and
    /// processes see each commit and are never blocked by the writer. Persistent.
    ///
    /// ```swift
    /// try db.enableWAL()
    /// ```
    public func enableWAL() throws(StoreError) {
        let mode = try pragma("journal_mode = WAL")
        guard mode?.lowercased() == "wal" else {
            throw StoreError(
                code: SQLITE_ERROR,
                message: "journal_mode stays \(mode ?? "unknown"), WAL is required",
                path: path,
                operation: "journal_mode"
            )
        }
    }

    /// Sets `PRAGMA synchronous` for this connection.
    ///
    /// ```swift
    /// try db.setSynchronous(.full)
    /// ```
    public func setSynchronous(_ level: SQLiteSynchronous) throws(StoreError) {
        _ = try pragma("synchronous = \(level.rawValue)")
    }

    /// `PRAGMA user_version`: a number the application keeps in the file header,
    /// for schema migrations.
    ///
    /// ```swift
    /// if try db.userVersion() < 1 { /* create the schema */ }
    /// ```
    public func userVersion() throws(StoreError) -> Int64 {
        Int64(try pragma("user_version") ?? "0") ?? 0
    }

    /// Sets `PRAGMA user_version`.
    ///
    /// ```swift
    /// try db.setUserVersion(1)
    /// ```
    public func setUserVersion(_ version: Int64) throws(StoreError) {
        _ = try pragma("user_version = \(version)")
    }

    /// Runs `PRAGMA <text>` and returns the first column of its first row, if any.
    private func pragma(_ text: String) throws(StoreError) -> String? {
        let statement = try prepare("PRAGMA \(text)")
        defer { statement.reset() }
        return try statement.step() ? statement.string(at: 0) : nil
    }
}
