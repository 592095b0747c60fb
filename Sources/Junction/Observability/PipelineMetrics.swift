import CoreMetrics
import Foundation
import Logging

/// Per-component counters: `junction_messages_total`, `junction_bytes_total`
/// and, for sinks, `junction_failed_messages_total`.
struct ComponentMetrics: Sendable {
    let messages: Counter
    let bytes: Counter
    let failures: Counter

    init(component: String, kind: String) {
        let dims = [("component", component), ("kind", kind)]
        messages = Counter(label: "junction_messages_total", dimensions: dims)
        bytes = Counter(label: "junction_bytes_total", dimensions: dims)
        failures = Counter(label: "junction_failed_messages_total", dimensions: dims)
    }

    func sent(_ count: Int, bytes n: Int) {
        messages.increment(by: count)
        bytes.increment(by: n)
    }

    /// Messages a sink could not deliver.
    func failed(_ count: Int) {
        if count > 0 { failures.increment(by: count) }
    }
}

/// Per-route counters: messages in and out, rejections per stage.
struct RouteMetrics: Sendable {
    let route: String
    let received: Counter
    let delivered: Counter
    let bytesIn: Counter

    init(route: String) {
        self.route = route
        received = Counter(label: "junction_route_messages_in_total", dimensions: [("route", route)])
        delivered = Counter(label: "junction_route_messages_out_total", dimensions: [("route", route)])
        bytesIn = Counter(label: "junction_route_bytes_in_total", dimensions: [("route", route)])
    }

    func received(_ count: Int, bytes: Int) {
        received.increment(by: count)
        bytesIn.increment(by: bytes)
    }

    func sent(_ count: Int) { delivered.increment(by: count) }

    func rejected(_ count: Int, stage: String) {
        Counter(label: "junction_stage_rejected_total", dimensions: [("route", route), ("stage", stage)]).increment(by: count)
    }
}

/// Per-edge gauges and drop counters: `junction_buffered_amount_bytes`, `junction_dropped_total`.
final class EdgeMetrics: @unchecked Sendable {
    let buffered: Gauge
    let dropped: Counter
    let droppedBytes: Counter
    private let logger: Logger
    private let edge: String
    private let lock = NSLock()
    private var unlogged = 0
    private var lastLog: UInt64 = 0

    init(edge: String, logger: Logger) {
        self.edge = edge
        self.logger = logger
        buffered = Gauge(label: "junction_buffered_amount_bytes", dimensions: [("edge", edge)])
        dropped = Counter(label: "junction_dropped_total", dimensions: [("edge", edge)])
        droppedBytes = Counter(label: "junction_dropped_bytes_total", dimensions: [("edge", edge)])
    }

    /// Counts drops and logs them at most once a second.
    func recordDrops(_ count: Int, policy: WhenFull) {
        guard count > 0 else { return }
        dropped.increment(by: count)
        let now = DispatchTime.now().uptimeNanoseconds
        let report: Int? = lock.withLock {
            unlogged += count
            guard now &- lastLog >= 1_000_000_000 else { return nil }
            lastLog = now
            defer { unlogged = 0 }
            return unlogged
        }
        if let report {
            logger.warning("edge full, messages dropped", metadata: ["edge": "\(edge)", "dropped": "\(report)", "when_full": "\(policy.rawValue)"])
        }
    }
}
