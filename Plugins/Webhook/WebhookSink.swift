import Junction
import JunctionStore
import Logging

/// Delivers messages as webhooks, at least once: a batch is taken once it
/// is committed to the outbox, and delivered, retried or dead-lettered from
/// there (see ``WebhookSinkConfig``).
///
/// ```yaml
/// sinks:
///   ops: { type: webhook, url: https://ops.example/hook, secret: "${HOOK_SECRET}" }
/// ```
public final class WebhookSink: ReportingSink {
    private let deliverer: WebhookDeliverer

    public init(config: WebhookSinkConfig, context: ComponentContext, store: WebhookStore) throws {
        deliverer = try WebhookDeliverer(target: context.name, config: config, outbox: store.outbox, logger: context.logger)
    }

    public func start() throws { try deliverer.start() }

    public func write(_ batch: [Message], reporting completion: @escaping @Sendable (_ failed: Int) -> Void) {
        deliverer.take(batch, completion: completion)
    }

    public func close(completion: @escaping @Sendable () -> Void) { deliverer.close(completion: completion) }
}
