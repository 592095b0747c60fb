import Junction
import JunctionStore

/// The process's outbox, shared by every webhook sink (one SQLite file in
/// WAL mode, from the `webhooks:` section).
public final class WebhookStore: Sendable {
    /// The open outbox.
    public let outbox: Outbox
    /// Its file.
    public let path: String

    /// Opens (or creates) the outbox file.
    ///
    /// ```swift
    /// let store = try WebhookStore(config: WebhooksSectionConfig(), baseDirectory: ".")
    /// ```
    public init(config: WebhooksSectionConfig, baseDirectory: String) throws {
        path = ComponentContext.resolve(path: config.outbox, against: baseDirectory)
        outbox = try Outbox(path: path, synchronous: config.sync == .full ? .full : .normal)
    }
}

/// The `webhooks:` section as given, kept until the first sink opens the store.
final class WebhooksSettings: Sendable {
    let config: WebhooksSectionConfig
    init(_ config: WebhooksSectionConfig) { self.config = config }
}
