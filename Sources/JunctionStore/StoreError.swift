import CSQLite

/// A failed SQLite call: the result code, SQLite's message, the database file
/// and what was being done.
///
/// ```swift
/// do {
///     _ = try Outbox(path: "/nonexistent/dir/outbox.db")
/// } catch {
///     print(error) // open /nonexistent/dir/outbox.db: unable to open database file (SQLite code 14)
/// }
/// ```
public struct StoreError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The SQLite (extended) result code, e.g. 14 `SQLITE_CANTOPEN`, 26 `SQLITE_NOTADB`.
    public var code: Int32
    /// SQLite's English message for the failure.
    public var message: String
    /// The database file the failure is about.
    public var path: String
    /// What was being done: `open`, `prepare`, `step`, `bind`, …
    public var operation: String

    /// Makes an error from its parts.
    ///
    /// ```swift
    /// let error = StoreError(code: 21, message: "outbox is closed", path: "/tmp/o.db", operation: "append")
    /// ```
    public init(code: Int32, message: String, path: String, operation: String) {
        self.code = code
        self.message = message
        self.path = path
        self.operation = operation
    }

    /// The primary result code (the low byte of ``code``), e.g. 5 `SQLITE_BUSY`.
    ///
    /// ```swift
    /// if error.primaryCode == SQLITE_BUSY { /* retry later */ }
    /// ```
    public var primaryCode: Int32 { code & 0xFF }

    /// `operation path: message (SQLite code N)`.
    ///
    /// ```swift
    /// print(error.description)
    /// ```
    public var description: String {
        "\(operation) \(path): \(message) (SQLite code \(code))"
    }

    /// The error SQLite reports for connection `db` (or the generic text of `code` when
    /// there is no connection).
    static func sqlite(_ code: Int32, db: OpaquePointer?, path: String, operation: String) -> StoreError {
        // The connection's last error is the one to report when it is about `code`
        // (it is more precise: extended code, message naming the table or column).
        if let db, sqlite3_extended_errcode(db) & 0xFF == code & 0xFF, let message = sqlite3_errmsg(db) {
            return StoreError(
                code: sqlite3_extended_errcode(db),
                message: String(cString: message),
                path: path,
                operation: operation
            )
        }
        let text = sqlite3_errstr(code).map { String(cString: $0) } ?? "unknown error"
        return StoreError(code: code, message: text, path: path, operation: operation)
    }

    /// A use of a store after ``Outbox/close()``.
    static func closed(path: String, operation: String) -> StoreError {
        StoreError(code: SQLITE_MISUSE, message: "the store is closed", path: path, operation: operation)
    }
}
