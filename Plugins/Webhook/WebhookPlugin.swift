import Junction
import JunctionNet

/// Registers the `http` source (webhook ingest on the shared listener), the
/// `webhook` sink (durable at-least-once delivery) and the `webhooks:` section.
public enum WebhookPlugin {
    public static func register(into registry: inout PluginRegistry) {
        registry.registerSection(
            "webhooks", config: WebhooksSectionConfig.self,
            doc: "Where webhook sinks keep undelivered messages and dead letters (SQLite, WAL)."
        ) { config, services in
            _ = services.shared(WebhooksSettings.self) { WebhooksSettings(config) }
        }
        registry.registerSource("http", config: HTTPSourceConfig.self, doc: "Messages from HTTP POST/PUT requests on the shared listener (webhook ingest); 202 once the route took them.") { config, context in
            let services = context.services
            let listener = services.shared(HTTPListener.self) { HTTPListener(services: services) }
            return try HTTPSource(config: config, context: context, listener: listener)
        }
        registry.registerSink("webhook", config: WebhookSinkConfig.self, doc: "Delivers messages as HTTP requests, at least once, through a durable SQLite outbox, with retries, signatures and dead letters.") { config, context in
            try WebhookSink(config: config, context: context, store: store(context))
        }
    }

    /// The shared outbox, opened by the first sink that needs it.
    static func store(_ context: ComponentContext) throws -> WebhookStore {
        try openStore(services: context.services, baseDirectory: context.baseDirectory)
    }

    /// The outbox of the `webhooks:` section loaded into `services` (or of the
    /// defaults), opened once per registry; relative paths start at `baseDirectory`.
    ///
    /// ```swift
    /// let graph = try GraphBuilder(registry: registry, services: services).load(file: "routes.yaml")
    /// let dead = try WebhookPlugin.openStore(services: services, baseDirectory: graph.baseDirectory)
    ///     .outbox.deadLetters(target: nil, since: nil, limit: 10)
    /// ```
    public static func openStore(services: ServiceRegistry, baseDirectory: String) throws -> WebhookStore {
        // The registry's lock is not reentrant: the settings are read first.
        let path = outboxPath(services: services, baseDirectory: baseDirectory)
        let sync = settings(services).sync
        return try services.shared(WebhookStore.self) { try WebhookStore(path: path, sync: sync) }
    }

    /// Where the outbox of the `webhooks:` section loaded into `services` (or
    /// of the defaults) is, without opening it.
    ///
    /// ```swift
    /// let path = WebhookPlugin.outboxPath(services: services, baseDirectory: graph.baseDirectory)
    /// ```
    public static func outboxPath(services: ServiceRegistry, baseDirectory: String) -> String {
        ComponentContext.resolve(path: settings(services).outbox, against: baseDirectory)
    }

    /// The `webhooks:` section loaded into `services`, or the defaults.
    private static func settings(_ services: ServiceRegistry) -> WebhooksSectionConfig {
        services.existing(WebhooksSettings.self)?.config ?? WebhooksSectionConfig()
    }
}
