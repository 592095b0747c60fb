import Junction
import JunctionStore

/// The process's outbox, shared by every webhook sink (one SQLite file in
/// WAL mode, from the `webhooks:` section).
public final class WebhookStore: Sendable {
    /// The open outbox.
    public let outbox: Outbox
    /// Its file.
    public let path: String

    /// Opens (or creates) the outbox file at `path`.
    ///
    /// ```swift
    /// let store = try WebhookStore(path: "/var/lib/junction/outbox.db", sync: .normal)
    /// ```
    public init(path: String, sync: WebhooksSectionConfig.SyncMode) throws {
        self.path = path
        outbox = try Outbox(path: path, synchronous: sync == .full ? .full : .normal)
    }
}

/// The `webhooks:` section as given, kept until the first sink opens the store.
final class WebhooksSettings: Sendable {
    let config: WebhooksSectionConfig
    init(_ config: WebhooksSectionConfig) { self.config = config }
}
