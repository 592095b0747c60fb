import Dispatch
import Foundation
import Logging

/// Feeds one sink from its incoming edges (one per route that names it),
/// round-robin, one batch in flight at a time. The batch's bytes stay in the
/// edge's `bufferedAmount` until the sink completes it. A ``HandOffSink`` is
/// driven on the pushing thread when that is outside the runtime's queues
/// (see ``RuntimeQueue``); a sink that completes inside `write` gets its next
/// batch in the same pass.
final class SinkDriver: @unchecked Sendable {
    let name: String
    let sink: any Sink
    private(set) var edges: [Edge] = []
    private let queue: DispatchQueue
    private let handsOff: Bool
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
        self.queue = RuntimeQueue.make(label: "junction.sink.\(name)", kind: .sink)
        self.handsOff = sink is any HandOffSink
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
        if go { RuntimeQueue.run(on: queue, kind: .sink, inline: handsOff) { budget in self.drain(budget: budget) } }
    }

    /// Hands batches to the sink while it completes them in `write`, at most
    /// `budget` of them; the rest goes to a pass on the queue.
    private func drain(budget: Int = .max) {
        scheduleLock.withLock { scheduled = false }
        var taken = 0
        while !inFlight, !closing {
            if taken == budget {
                schedule()  // on the queue now: async
                return
            }
            taken += 1
            guard let (edge, batch) = nextBatch() else {
                if edges.allSatisfy({ $0.isClosed && $0.isEmpty }) { close() }
                return
            }
            var messages = batch
            // The receipts stay here, not with the sink: they settle when the sink
            // completes, however long it keeps the messages afterwards.
            let receipts = ReceiptHolder(taking: &messages, sink: name)
            inFlight = true
            inFlightCount = messages.count
            let settled = Settled(count: messages.count, bytes: messages.byteSize, cost: messages.accountedSize)
            let completion = WriteCompletion()
            let done: @Sendable (Int) -> Void = { [self] failed in
                receipts?.settle(failed: failed)
                // Completed inside `write`: settled below, in this same pass.
                guard !completion.completeDuringWrite(failed: failed) else { return }
                queue.async {
                    self.finish(settled, edge: edge, failed: failed)
                    self.drain()
                }
            }
            if let reporting = sink as? any ReportingSink {
                reporting.write(messages, reporting: done)
            } else {
                sink.write(messages) { done(0) }
            }
            guard let failed = completion.endWrite() else { return }
            finish(settled, edge: edge, failed: failed)
        }
    }

    /// The next batch, round-robin over the edges.
    private func nextBatch() -> (Edge, [Message])? {
        for step in 0..<edges.count {
            let index = (next + step) % edges.count
            guard let batch = edges[index].pop(maxBytes: maxBatchBytes) else { continue }
            next = (index + 1) % edges.count
            return (edges[index], batch)
        }
        return nil
    }

    /// What a completed batch was, for the counters and its edge.
    private struct Settled {
        let count: Int
        let bytes: Int
        let cost: Int
    }

    /// The sink completed a batch: count it and free its bytes on the edge.
    private func finish(_ batch: Settled, edge: Edge, failed: Int) {
        let failed = min(max(0, failed), batch.count)
        metrics.sent(batch.count - failed, bytes: failed == 0 ? batch.bytes : batch.bytes * (batch.count - failed) / batch.count)
        metrics.failed(failed)
        scheduleLock.withLock {
            _written += batch.count - failed
            _failed += failed
        }
        edge.complete(accounted: batch.cost)
        inFlight = false
        inFlightCount = 0
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

/// Whether a sink completed a batch inside its `write` call (then the driver
/// settles it in the same pass) or later, from anywhere (then on its queue).
private final class WriteCompletion: @unchecked Sendable {
    private enum State { case writing, completed(failed: Int), returned }
    private let lock = NSLock()
    private var state = State.writing

    /// The sink's completion: true when `write` has not returned yet.
    func completeDuringWrite(failed: Int) -> Bool {
        lock.withLock {
            guard case .writing = state else { return false }
            state = .completed(failed: failed)
            return true
        }
    }

    /// `write` returned: the failed count if it completed meanwhile.
    func endWrite() -> Int? {
        lock.withLock {
            if case .completed(let failed) = state { return failed }
            state = .returned
            return nil
        }
    }
}
