import CSQLite

/// The outbox's connection, its schema and its statements. Not thread-safe:
/// ``Outbox`` keeps it under a mutex.
final class OutboxConnection {
    /// The schema version this build writes (`PRAGMA user_version`).
    static let schemaVersion: Int64 = 1

    static let schema = """
        CREATE TABLE IF NOT EXISTS outbox(
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            target TEXT NOT NULL,
            message_id TEXT NOT NULL,
            payload BLOB NOT NULL,
            meta BLOB NOT NULL,
            created_at INTEGER NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at INTEGER NOT NULL,
            last_error TEXT
        );
        CREATE INDEX IF NOT EXISTS outbox_target_id ON outbox(target, id);
        CREATE TABLE IF NOT EXISTS dead_letters(
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            target TEXT NOT NULL,
            message_id TEXT NOT NULL,
            payload BLOB NOT NULL,
            meta BLOB NOT NULL,
            created_at INTEGER NOT NULL,
            attempts INTEGER NOT NULL,
            failed_at INTEGER NOT NULL,
            last_error TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS dead_letters_failed_at ON dead_letters(failed_at);
        CREATE TABLE IF NOT EXISTS outbox_state(
            name TEXT PRIMARY KEY,
            value INTEGER NOT NULL
        );
        """

    private static let columns = "id, target, message_id, payload, meta, created_at, attempts"

    let database: SQLiteDatabase
    // The hot path's statements, compiled once.
    private let insert: SQLiteStatement
    private let selectPending: SQLiteStatement
    private let delete: SQLiteStatement
    private let retry: SQLiteStatement
    private let bury: SQLiteStatement
    private let selectMaxID: SQLiteStatement

    init(path: String, synchronous: SQLiteSynchronous, busyTimeout: Duration) throws(StoreError) {
        let database = try SQLiteDatabase(path: path, busyTimeout: busyTimeout)
        try database.enableWAL()
        try database.setSynchronous(synchronous)
        try Self.migrate(database)
        self.database = database
        insert = try database.prepare("""
            INSERT INTO outbox(target, message_id, payload, meta, created_at, attempts, next_attempt_at)
            VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6)
            """)
        selectPending = try database.prepare("""
            SELECT \(Self.columns), next_attempt_at, last_error FROM outbox
            WHERE target = ?1 AND id > ?2 ORDER BY id LIMIT ?3
            """)
        delete = try database.prepare("DELETE FROM outbox WHERE id = ?1")
        retry = try database.prepare("UPDATE outbox SET attempts = ?2, next_attempt_at = ?3, last_error = ?4 WHERE id = ?1")
        bury = try database.prepare("""
            INSERT INTO dead_letters(target, message_id, payload, meta, created_at, attempts, failed_at, last_error)
            SELECT target, message_id, payload, meta, created_at, ?2, ?3, ?4 FROM outbox WHERE id = ?1
            """)
        selectMaxID = try database.prepare("SELECT COALESCE(MAX(id), 0) FROM outbox")
    }

    /// Creates the tables of a new file; refuses a file written by a newer schema.
    private static func migrate(_ database: SQLiteDatabase) throws(StoreError) {
        try database.transaction { () throws(StoreError) in
            let version = try database.userVersion()
            guard version <= schemaVersion else {
                throw StoreError(
                    code: SQLITE_ERROR,
                    message: "schema version \(version) is newer than this build's \(schemaVersion)",
                    path: database.path,
                    operation: "migrate"
                )
            }
            if version < 1 {
                try database.execute(schema)
                try database.setUserVersion(schemaVersion)
            }
        }
    }

    func append(_ entries: [Outbox.Entry], now: Int64) throws(StoreError) -> [Int64] {
        guard !entries.isEmpty else { return [] }
        return try database.transaction { () throws(StoreError) -> [Int64] in
            var ids: [Int64] = []
            ids.reserveCapacity(entries.count)
            for entry in entries {
                defer { insert.reset() }
                try insert.bind(entry.target, at: 1)
                try insert.bind(entry.messageID, at: 2)
                try insert.bind(entry.payload, at: 3)
                try insert.bind(entry.meta, at: 4)
                try insert.bind(entry.createdAt, at: 5)
                try insert.bind(now, at: 6)
                try insert.run()
                ids.append(database.lastInsertRowID)
            }
            return ids
        }
    }

    func pending(target: String, after id: Int64, limit: Int) throws(StoreError) -> [Outbox.Record] {
        guard limit > 0 else { return [] }
        defer { selectPending.reset() }
        try selectPending.bind(target, at: 1)
        try selectPending.bind(id, at: 2)
        try selectPending.bind(Int64(limit), at: 3)
        var records: [Outbox.Record] = []
        while try selectPending.step() {
            let row = selectPending
            records.append(Outbox.Record(
                id: row.int64(at: 0),
                target: row.string(at: 1) ?? "",
                messageID: row.string(at: 2) ?? "",
                payload: row.bytes(at: 3),
                meta: row.bytes(at: 4),
                createdAt: row.int64(at: 5),
                attempts: Int(row.int64(at: 6)),
                nextAttemptAt: row.int64(at: 7),
                lastError: row.string(at: 8)
            ))
        }
        return records
    }

    func settle(_ outcomes: [Outbox.Outcome]) throws(StoreError) {
        guard !outcomes.isEmpty else { return }
        try database.transaction { () throws(StoreError) in
            for outcome in outcomes {
                switch outcome {
                case .delivered(let id):
                    try deleteRow(id)
                case .retry(let id, let attempts, let nextAttemptAt, let error):
                    defer { retry.reset() }
                    try retry.bind(id, at: 1)
                    try retry.bind(Int64(attempts), at: 2)
                    try retry.bind(nextAttemptAt, at: 3)
                    try retry.bind(error, at: 4)
                    try retry.run()
                case .dead(let id, let attempts, let error, let at):
                    do {
                        defer { bury.reset() }
                        try bury.bind(id, at: 1)
                        try bury.bind(Int64(attempts), at: 2)
                        try bury.bind(at, at: 3)
                        try bury.bind(error, at: 4)
                        try bury.run()
                    }
                    try deleteRow(id)
                }
            }
        }
    }

    private func deleteRow(_ id: Int64) throws(StoreError) {
        defer { delete.reset() }
        try delete.bind(id, at: 1)
        try delete.run()
    }

    func maxID() throws(StoreError) -> Int64 {
        defer { selectMaxID.reset() }
        return try selectMaxID.step() ? selectMaxID.int64(at: 0) : 0
    }

    func pendingCount(target: String?) throws(StoreError) -> Int {
        let sql = target == nil ? "SELECT count(*) FROM outbox" : "SELECT count(*) FROM outbox WHERE target = ?1"
        return try count(sql, target: target, since: nil)
    }

    func deadLetterCount(target: String?) throws(StoreError) -> Int {
        try count("SELECT count(*) FROM dead_letters" + Self.filter(target: target, since: nil), target: target, since: nil)
    }

    func deadLetters(target: String?, since: Int64?, limit: Int, newest: Bool) throws(StoreError) -> [Outbox.DeadLetter] {
        guard limit > 0 else { return [] }
        let statement = try database.cached("""
            SELECT \(Self.columns), failed_at, last_error FROM dead_letters\(Self.filter(target: target, since: since))
            ORDER BY \(newest ? "failed_at DESC, id DESC" : "failed_at, id") LIMIT ?3
            """)
        defer { statement.reset() }
        try bindFilter(statement, target: target, since: since)
        try statement.bind(Int64(limit), at: 3)
        var letters: [Outbox.DeadLetter] = []
        while try statement.step() {
            letters.append(Outbox.DeadLetter(
                id: statement.int64(at: 0),
                target: statement.string(at: 1) ?? "",
                messageID: statement.string(at: 2) ?? "",
                payload: statement.bytes(at: 3),
                meta: statement.bytes(at: 4),
                createdAt: statement.int64(at: 5),
                attempts: Int(statement.int64(at: 6)),
                failedAt: statement.int64(at: 7),
                lastError: statement.string(at: 8) ?? ""
            ))
        }
        return newest ? letters.reversed() : letters
    }

    func replay(target: String?, since: Int64?, now: Int64) throws(StoreError) -> Int {
        let filter = Self.filter(target: target, since: since)
        return try database.transaction { () throws(StoreError) -> Int in
            let copy = try database.cached("""
                INSERT INTO outbox(target, message_id, payload, meta, created_at, attempts, next_attempt_at, last_error)
                SELECT target, message_id, payload, meta, created_at, 0, ?3, NULL FROM dead_letters\(filter)
                ORDER BY id
                """)
            defer { copy.reset() }
            try bindFilter(copy, target: target, since: since)
            try copy.bind(now, at: 3)
            try copy.run()
            let copied = database.changes
            // The write lock is held since BEGIN IMMEDIATE: the same filter selects the same rows.
            let remove = try database.cached("DELETE FROM dead_letters\(filter)")
            defer { remove.reset() }
            try bindFilter(remove, target: target, since: since)
            try remove.run()
            if copied > 0 {
                // Readers watch this number to learn that rows came back below ids they passed.
                let bump = try database.cached("""
                    INSERT INTO outbox_state(name, value) VALUES('replays', 1)
                    ON CONFLICT(name) DO UPDATE SET value = value + 1
                    """)
                defer { bump.reset() }
                try bump.run()
            }
            return copied
        }
    }

    func replayGeneration() throws(StoreError) -> Int64 {
        let select = try database.cached("SELECT value FROM outbox_state WHERE name = 'replays'")
        defer { select.reset() }
        return try select.step() ? select.int64(at: 0) : 0
    }

    /// ` WHERE …` on `?1` (target) and `?2` (failed_at lower bound), for the ones given.
    private static func filter(target: String?, since: Int64?) -> String {
        switch (target != nil, since != nil) {
        case (false, false): ""
        case (true, false): " WHERE target = ?1"
        case (false, true): " WHERE failed_at >= ?2"
        case (true, true): " WHERE target = ?1 AND failed_at >= ?2"
        }
    }

    private func bindFilter(_ statement: SQLiteStatement, target: String?, since: Int64?) throws(StoreError) {
        if let target { try statement.bind(target, at: 1) }
        if let since { try statement.bind(since, at: 2) }
    }

    private func count(_ sql: String, target: String?, since: Int64?) throws(StoreError) -> Int {
        let statement = try database.cached(sql)
        defer { statement.reset() }
        try bindFilter(statement, target: target, since: since)
        return try statement.step() ? Int(statement.int64(at: 0)) : 0
    }
}
