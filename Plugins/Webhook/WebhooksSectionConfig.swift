import Junction

/// The `webhooks:` section: where webhook sinks keep their outbox.
///
/// ```yaml
/// webhooks:
///   outbox: /var/lib/junction/outbox.db
///   sync: full
/// ```
public struct WebhooksSectionConfig: ComponentConfig {
    /// The SQLite file of the outbox and the dead letters (WAL mode), relative
    /// to the directory of routes.yaml.
    public var outbox = "junction-outbox.db"
    /// `normal`: a taken message survives the process dying (`kill -9`);
    /// `full`: it also survives the machine losing power (an fsync per commit).
    public var sync = SyncMode.normal

    /// How hard a commit is pushed to the disk.
    public enum SyncMode: String, ConfigEnum {
        /// Survives process crashes.
        case normal
        /// Survives power loss too.
        case full
    }

    public init() {}

    public static let fields: [ConfigField<WebhooksSectionConfig>] = [
        .field("outbox", \.outbox, "SQLite file holding undelivered messages and dead letters (relative to routes.yaml)."),
        .field("sync", \.sync, "normal: taken messages survive a crash of the process; full: they also survive power loss."),
    ]

    public func validate() throws {
        guard !outbox.isEmpty else { throw ConfigDiagnostic.field("outbox", "outbox must name a file") }
    }
}
