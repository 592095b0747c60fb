import Synchronization

/// A durable delivery outbox on one SQLite file in WAL mode: messages accepted
/// with ``append(_:now:)`` are on disk when it returns, survive `kill -9` and
/// restarts, and stay until ``settle(_:)`` records them delivered (deleted) or
/// dead (moved to the dead letters). Dead letters can be listed and replayed,
/// also from another process while the service runs (WAL readers never block,
/// writers wait for each other up to the busy timeout).
///
/// Thread-safe: every method is synchronous, runs under one lock around the
/// connection and may be called from any thread. Each batch is one transaction.
///
/// ```swift
/// let outbox = try Outbox(path: "/var/lib/junction/ops.outbox")
/// let ids = try outbox.append([entry], now: nowMillis())
/// var lastID: Int64 = 0
/// for record in try outbox.pending(target: "ops", after: lastID, limit: 64) {
///     lastID = record.id
///     // … deliver, then:
///     try outbox.settle([.delivered(id: record.id)])
/// }
/// ```
public final class Outbox: Sendable {
    /// How hard a commit is pushed to disk.
    public typealias Synchronous = SQLiteSynchronous

    /// The database file.
    public let path: String
    /// nil once closed.
    private let connection: Mutex<OutboxConnection?>

    /// Opens the outbox file at `path`, creating the file and its tables if
    /// missing (the directory must exist). `.normal` survives process crashes;
    /// `.full` also survives power loss, at the cost of an fsync per commit.
    /// Throws a ``StoreError`` naming `path` when the file cannot be opened or is
    /// not a database.
    ///
    /// ```swift
    /// let outbox = try Outbox(path: "/var/lib/junction/ops.outbox", synchronous: .full)
    /// ```
    public init(path: String, synchronous: Synchronous = .normal, busyTimeout: Duration = .seconds(5)) throws(StoreError) {
        self.path = path
        connection = Mutex(try OutboxConnection(path: path, synchronous: synchronous, busyTimeout: busyTimeout))
    }

    private func withConnection<Result: Sendable>(
        _ operation: String,
        _ body: (OutboxConnection) throws(StoreError) -> Result
    ) throws(StoreError) -> Result {
        try connection.withLock { (connection) throws(StoreError) -> Result in
            guard let connection else { throw StoreError.closed(path: path, operation: operation) }
            return try body(connection)
        }
    }

    /// Stores a batch of messages in one transaction (one commit for the whole
    /// batch) and returns their new row ids, in order. Each is due at `now`
    /// (ms since the epoch), with no attempts yet.
    ///
    /// ```swift
    /// let ids = try outbox.append(entries, now: nowMillis())
    /// ```
    public func append(_ entries: [Entry], now: Int64) throws(StoreError) -> [Int64] {
        try withConnection("append") { (connection) throws(StoreError) in try connection.append(entries, now: now) }
    }

    /// Up to `limit` waiting messages of `target` with ids above `id`, in id order
    /// (due or not: ``Record/nextAttemptAt`` says when). Paging with the last id
    /// seen also finds rows that another process (a replay) inserted since.
    ///
    /// ```swift
    /// let batch = try outbox.pending(target: "ops", after: lastID, limit: 128)
    /// ```
    public func pending(target: String, after id: Int64, limit: Int) throws(StoreError) -> [Record] {
        try withConnection("pending") { (connection) throws(StoreError) in
            try connection.pending(target: target, after: id, limit: limit)
        }
    }

    /// Records what became of deliveries, in one transaction: delivered rows are
    /// deleted, retried rows updated, dead rows moved to the dead letters. Ids no
    /// longer in the outbox are skipped.
    ///
    /// ```swift
    /// try outbox.settle([.delivered(id: 1), .retry(id: 2, attempts: 1, nextAttemptAt: now + 500, error: "timeout")])
    /// ```
    public func settle(_ outcomes: [Outcome]) throws(StoreError) {
        try withConnection("settle") { (connection) throws(StoreError) in try connection.settle(outcomes) }
    }

    /// How many messages wait in the outbox, for `target` or for all targets.
    ///
    /// ```swift
    /// let backlog = try outbox.pendingCount(target: "ops")
    /// ```
    public func pendingCount(target: String?) throws(StoreError) -> Int {
        try withConnection("pendingCount") { (connection) throws(StoreError) in
            try connection.pendingCount(target: target)
        }
    }

    /// Up to `limit` dead letters, of `target` (all when nil) that failed at or
    /// after `since` (ms since the epoch; all when nil), oldest failure first:
    /// the oldest `limit` of them, or with `newest` the newest `limit`.
    ///
    /// ```swift
    /// let letters = try outbox.deadLetters(target: "ops", since: nil, limit: 100)
    /// let latest = try outbox.deadLetters(target: nil, since: nil, limit: 20, newest: true)
    /// ```
    public func deadLetters(target: String?, since: Int64?, limit: Int, newest: Bool = false) throws(StoreError) -> [DeadLetter] {
        try withConnection("deadLetters") { (connection) throws(StoreError) in
            try connection.deadLetters(target: target, since: since, limit: limit, newest: newest)
        }
    }

    /// How many dead letters there are, for `target` or for all targets.
    ///
    /// ```swift
    /// let dead = try outbox.deadLetterCount(target: nil)
    /// ```
    public func deadLetterCount(target: String?) throws(StoreError) -> Int {
        try withConnection("deadLetterCount") { (connection) throws(StoreError) in
            try connection.deadLetterCount(target: target)
        }
    }

    /// Puts dead letters (of `target`, failed at or after `since`, when given)
    /// back into the outbox in one transaction, as new rows with new ids, no
    /// attempts and due at `now`, keeping message id, payload, meta and creation
    /// time. They leave the dead letters. Returns how many.
    ///
    /// ```swift
    /// let replayed = try outbox.replay(target: "ops", since: nil, now: nowMillis())
    /// ```
    public func replay(target: String?, since: Int64?, now: Int64) throws(StoreError) -> Int {
        try withConnection("replay") { (connection) throws(StoreError) in
            try connection.replay(target: target, since: since, now: now)
        }
    }

    /// How many replays have put rows back so far (0 before the first). A
    /// reader that keeps rows in memory rescans when it changes: replayed rows
    /// get new ids, which may be below ids the reader has already passed.
    ///
    /// ```swift
    /// if try outbox.replayGeneration() != seen { rescan() }
    /// ```
    public func replayGeneration() throws(StoreError) -> Int64 {
        try withConnection("replayGeneration") { (connection) throws(StoreError) in try connection.replayGeneration() }
    }

    /// The highest row id in the outbox, 0 when it is empty. Ids only grow (a
    /// replay's rows get ids above any ever used), so `pending(target:after:)`
    /// with the highest id a reader has seen finds what others inserted since.
    ///
    /// ```swift
    /// var known = try outbox.maxID()
    /// ```
    public func maxID() throws(StoreError) -> Int64 {
        try withConnection("maxID") { (connection) throws(StoreError) in try connection.maxID() }
    }

    /// Closes the connection (checkpointing the WAL when it is the file's last).
    /// Idempotent; later calls throw a `SQLITE_MISUSE` ``StoreError``. Dropping
    /// the last reference closes too.
    ///
    /// ```swift
    /// outbox.close()
    /// ```
    public func close() {
        connection.withLock { $0 = nil }
    }
}
