import Metrics

/// A webhook sink's counters: `junction_webhook_deliveries_total{component,
/// result}` (delivered, retried, dead), `junction_webhook_pending{component}`
/// and `junction_webhook_outbox_errors_total{component}`.
struct WebhookMetrics: Sendable {
    let delivered: Counter
    let retried: Counter
    let dead: Counter
    let pending: Gauge
    let outboxErrors: Counter

    init(component: String) {
        func deliveries(_ result: String) -> Counter {
            Counter(label: "junction_webhook_deliveries_total", dimensions: [("component", component), ("result", result)])
        }
        delivered = deliveries("delivered")
        retried = deliveries("retried")
        dead = deliveries("dead")
        pending = Gauge(label: "junction_webhook_pending", dimensions: [("component", component)])
        outboxErrors = Counter(label: "junction_webhook_outbox_errors_total", dimensions: [("component", component)])
    }
}
