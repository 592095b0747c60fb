/// How hard SQLite pushes a commit to disk (`PRAGMA synchronous`) in WAL mode.
///
/// ```swift
/// let outbox = try Outbox(path: "/var/lib/junction/outbox.db", synchronous: .full)
/// ```
public enum SQLiteSynchronous: String, Sendable, CaseIterable {
    /// A commit is in the WAL file when it returns: it survives a crash or
    /// `kill -9` of the process, but the last commits may be lost if the machine
    /// loses power (the WAL is synced at checkpoints only).
    case normal = "NORMAL"
    /// The WAL file is synced on every commit: commits also survive power loss.
    case full = "FULL"
}
