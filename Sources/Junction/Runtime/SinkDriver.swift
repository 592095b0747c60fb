import Dispatch
import Foundation
import Logging

/// Feeds one sink from its incoming edges (one per route that names it),
/// round-robin, one batch in flight at a time. The batch's bytes stay in the
/// edge's `bufferedAmount` until the sink completes it.
final class SinkDriver: @unchecked Sendable {
    let name: String
    let sink: any Sink
    private(set) var edges: [Edge] = []
    private let queue: DispatchQueue
    private let logger: Logger
    private let metrics: ComponentMetrics
    private let maxBatchBytes: Int
    private let onClosed: @Sendable () -> Void

    // Queue-confined.
    private var inFlight = false
    private var next = 0
    private var closing = false
    private var closed = false
    private var inFlightCount = 0
    private var scheduled = false
    private let scheduleLock = NSLock()
    private var _written = 0  // under scheduleLock
    private var _failed = 0  // under scheduleLock

    /// Messages the sink delivered.
    var writtenCount: Int { scheduleLock.withLock { _written } }
    /// Messages the sink reported it could not deliver (a `ReportingSink`).
    var failedCount: Int { scheduleLock.withLock { _failed } }

    init(name: String, sink: any Sink, logger: Logger, metrics: ComponentMetrics, maxBatchBytes: Int = 256 * 1024, onClosed: @escaping @Sendable () -> Void) {
        self.name = name
        self.sink = sink
        self.queue = DispatchQueue(label: "junction.sink.\(name)")
        self.logger = logger
        self.metrics = metrics
        self.maxBatchBytes = maxBatchBytes
        self.onClosed = onClosed
    }

    func attach(_ edge: Edge) {
        edges.append(edge)
        edge.setConsumer { [weak self] in self?.schedule() }
    }

    func schedule() {
        let go: Bool = scheduleLock.withLock {
            if scheduled { return false }
            scheduled = true
            return true
        }
        if go { queue.async { self.drain() } }
    }

    private func drain() {
        scheduleLock.withLock { scheduled = false }
        guard !inFlight, !closing else { return }
        for step in 0..<edges.count {
            let index = (next + step) % edges.count
            let edge = edges[index]
            guard var batch = edge.pop(maxBytes: maxBatchBytes) else { continue }
            next = (index + 1) % edges.count
            // The receipts stay here, not with the sink: they settle when the sink
            // completes, however long it keeps the messages afterwards.
            let receipts = ReceiptHolder(taking: &batch, sink: name)
            inFlight = true
            inFlightCount = batch.count
            let bytes = batch.byteSize
            let cost = batch.accountedSize
            let count = batch.count
            let done: @Sendable (Int) -> Void = { [self] failed in
                receipts?.settle(failed: failed)
                queue.async {
                    let failed = min(max(0, failed), count)
                    self.metrics.sent(count - failed, bytes: failed == 0 ? bytes : bytes * (count - failed) / count)
                    self.metrics.failed(failed)
                    self.scheduleLock.withLock {
                        self._written += count - failed
                        self._failed += failed
                    }
                    edge.complete(accounted: cost)
                    self.inFlight = false
                    self.inFlightCount = 0
                    self.drain()
                }
            }
            if let reporting = sink as? any ReportingSink {
                reporting.write(batch, reporting: done)
            } else {
                sink.write(batch) { done(0) }
            }
            return
        }
        if edges.allSatisfy({ $0.isClosed && $0.isEmpty }) { close() }
    }

    /// Stops taking batches (shutdown past its deadline); returns the messages of
    /// the batch still in the sink's hands, which will not count as delivered in time.
    func abandon() -> Int {
        queue.sync {
            closing = true
            return inFlightCount
        }
    }

    private func close() {
        guard !closing else { return }
        closing = true
        sink.close { [self] in
            queue.async {
                guard !self.closed else { return }
                self.closed = true
                self.onClosed()
            }
        }
    }
}

/// The receipts of a batch in a sink's hands, released (settled) when the sink
/// completes. A failed count fails them all: the sink does not say which ones
/// failed, and a sender retrying a delivered message beats one losing a message.
private final class ReceiptHolder: @unchecked Sendable {
    private let lock = NSLock()
    private var receipts: [Receipt]
    private let sink: String

    /// Takes the receipts off `batch`; nil when it carries none.
    init?(taking batch: inout [Message], sink: String) {
        guard batch.contains(where: { $0.receipt != nil }) else { return nil }
        var receipts: [Receipt] = []
        for i in batch.indices {
            if let r = batch[i].receipt {
                receipts.append(r)
                batch[i].receipt = nil
            }
        }
        self.receipts = receipts
        self.sink = sink
    }

    func settle(failed: Int) {
        let taken: [Receipt] = lock.withLock {
            defer { receipts = [] }
            return receipts
        }
        if failed > 0 { for r in taken { r.fail("sink \(sink) could not deliver it") } }
    }
}
