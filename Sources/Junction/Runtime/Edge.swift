import Foundation

/// A queue into a consumer (a route's stages, or a sink) that counts bytes the
/// way `RTCDataChannel` does.
///
/// Every message counts its `accountedSize` (payload bytes, at least 1, plus a
/// small fixed overhead), the same on the way in and on the way out.
///
/// - `bufferedAmount`: bytes queued or handed to the consumer and not yet done;
/// - `lowThreshold` (`bufferedAmountLowThreshold`): when `bufferedAmount` falls
///   to or below it, `bufferedamountlow` fires;
/// - `highWater`: above it the edge is full, and `policy` decides: `block` holds
///   the upstream gates until `bufferedamountlow`, `drop_oldest` and
///   `drop_newest` discard and count.
public final class Edge: @unchecked Sendable {
    /// `route-1→out`, for logs and metrics.
    public let name: String
    public let policy: WhenFull
    public let highWater: Int
    public let lowThreshold: Int

    private let lock = NSLock()
    /// A pushed batch and its accounted bytes.
    private struct Queued {
        var messages: [Message]
        var cost: Int
    }
    private var queue = FIFO<Queued>()
    private var offset = 0  // messages of queue.first already dropped
    private var offsetCost = 0  // their accounted bytes
    private var queuedBytes = 0
    private var inFlightBytes = 0
    private var full = false
    private var producers: Int
    private var upstream: [FlowGate] = []
    private var wake: (@Sendable () -> Void)?

    // Counters, read by tests and metrics.
    private var _pushedMessages = 0
    private var _droppedMessages = 0
    private var _droppedBytes = 0
    private var _peakBufferedAmount = 0
    private var _lowEvents = 0

    let metrics: EdgeMetrics?

    init(name: String, policy: WhenFull, highWater: Int, lowThreshold: Int, producers: Int, metrics: EdgeMetrics? = nil) {
        self.name = name
        self.metrics = metrics
        self.policy = policy
        self.highWater = highWater
        self.lowThreshold = min(lowThreshold, highWater)
        self.producers = producers
    }

    /// Why a receipt of a message this edge drops fails.
    private var dropReason: String { "dropped: \(name) was full (\(policy.rawValue))" }

    /// Gates held while this edge is full (only under `block`).
    func addUpstream(_ gate: FlowGate) { lock.withLock { upstream.append(gate) } }

    /// Called (from any thread) whenever there is something for the consumer.
    func setConsumer(_ wake: @escaping @Sendable () -> Void) { lock.withLock { self.wake = wake } }

    /// Bytes queued or in the consumer's hands.
    public var bufferedAmount: Int { lock.withLock { queuedBytes + inFlightBytes } }
    /// The highest `bufferedAmount` seen.
    public var peakBufferedAmount: Int { lock.withLock { _peakBufferedAmount } }
    public var droppedMessages: Int { lock.withLock { _droppedMessages } }
    public var droppedBytes: Int { lock.withLock { _droppedBytes } }
    public var pushedMessages: Int { lock.withLock { _pushedMessages } }
    /// How many times `bufferedamountlow` fired.
    public var lowEvents: Int { lock.withLock { _lowEvents } }
    public var isFull: Bool { lock.withLock { full } }

    /// Adds a batch. Never blocks; under `block` it may pass `highWater` by this batch and holds the upstream gates.
    /// Messages that use little of a shared chunk are copied out first, so that a
    /// queue does not pin chunks far larger than what it counts.
    /// Returns the number of messages dropped.
    @discardableResult
    func push(_ batch: [Message]) -> Int {
        guard !batch.isEmpty else { return 0 }
        var batch = batch
        batch.releaseSparseChunks()
        var bytes = batch.accountedSize
        var dropped = 0
        var gatesToHold: [FlowGate] = []
        var amount = 0
        let wake: (@Sendable () -> Void)? = lock.withLock {
            switch policy {
            case .block:
                break
            case .dropNewest:
                // The batch in the consumer's hands cannot be taken back: drops weigh the queue only.
                let room = highWater - queuedBytes
                if bytes > room {
                    var keep = 0, kept = 0
                    while keep < batch.count, kept + batch[keep].accountedSize <= room {
                        kept += batch[keep].accountedSize
                        keep += 1
                    }
                    dropped = batch.count - keep
                    _droppedMessages += dropped
                    _droppedBytes += bytes - kept
                    batch[keep...].forEach { $0.receipt?.fail(dropReason) }
                    batch.removeSubrange(keep...)
                    bytes = kept
                }
            case .dropOldest:
                while queuedBytes + bytes > highWater, let first = queue.first {
                    let cost = first.messages[offset].accountedSize
                    first.messages[offset].receipt?.fail(dropReason)
                    queuedBytes -= cost
                    _droppedBytes += cost
                    _droppedMessages += 1
                    dropped += 1
                    offset += 1
                    offsetCost += cost
                    if offset == first.messages.count {
                        _ = queue.popFirst()
                        offset = 0
                        offsetCost = 0
                    }
                }
                // The incoming batch alone may exceed the mark: keep its newest messages.
                if queuedBytes + bytes > highWater {
                    var cut = 0
                    while cut < batch.count - 1, queuedBytes + bytes > highWater {
                        let cost = batch[cut].accountedSize
                        batch[cut].receipt?.fail(dropReason)
                        bytes -= cost
                        _droppedBytes += cost
                        cut += 1
                    }
                    _droppedMessages += cut
                    dropped += cut
                    batch.removeSubrange(..<cut)
                }
            }
            guard !batch.isEmpty else {
                amount = queuedBytes + inFlightBytes
                return nil
            }
            _pushedMessages += batch.count
            queue.append(Queued(messages: batch, cost: bytes))
            queuedBytes += bytes
            amount = queuedBytes + inFlightBytes
            if amount > _peakBufferedAmount { _peakBufferedAmount = amount }
            if policy == .block, !full, amount > highWater {
                full = true
                gatesToHold = upstream
            }
            return self.wake
        }
        for gate in gatesToHold { gate.hold() }
        if let metrics {
            metrics.buffered.record(amount)
            metrics.recordDrops(dropped, policy: policy)
        }
        wake?()
        return dropped
    }

    /// Takes queued messages, up to about `maxBytes` accounted bytes (at least one
    /// pushed batch), moving their bytes in flight until `complete(accounted:)`.
    func pop(maxBytes: Int) -> [Message]? {
        // Hand over at most a quarter of the high-water mark at once, so the queue keeps room to work with.
        let maxBytes = min(maxBytes, max(1, highWater / 4))
        return lock.withLock {
            guard var first = queue.popFirst() else { return nil }
            var out: [Message]
            var bytes: Int
            if offset == 0 {
                // Taken, not shared, so merging below appends in place.
                out = first.messages
                first.messages = []
                bytes = first.cost
            } else {
                out = Array(first.messages[offset...])
                bytes = first.cost - offsetCost
                offset = 0
                offsetCost = 0
            }
            // Merge small following batches while under the limit.
            while let next = queue.first, bytes + next.cost <= maxBytes {
                _ = queue.popFirst()
                bytes += next.cost
                out.append(contentsOf: next.messages)
            }
            queuedBytes -= bytes
            inFlightBytes += bytes
            return out
        }
    }

    /// The consumer is done with a popped batch whose `accountedSize` is `bytes`;
    /// may fire `bufferedamountlow`.
    func complete(accounted bytes: Int) {
        var after = 0
        let gates: [FlowGate] = lock.withLock {
            let before = queuedBytes + inFlightBytes
            inFlightBytes -= bytes
            after = queuedBytes + inFlightBytes
            guard before > lowThreshold, after <= lowThreshold else { return [] }
            _lowEvents += 1
            guard full else { return [] }
            full = false
            return upstream
        }
        metrics?.buffered.record(after)
        for gate in gates { gate.release() }
    }

    /// Whether nothing is queued or in flight.
    var isEmpty: Bool { lock.withLock { queue.isEmpty && inFlightBytes == 0 } }

    /// Storage slots of the queue, taken ones included (tests check it stays bounded).
    var storageSlots: Int { lock.withLock { queue.storageCount } }

    /// One producer finished; when all have, the consumer sees `isClosed` after draining.
    func producerFinished() {
        let wake: (@Sendable () -> Void)? = lock.withLock {
            producers -= 1
            return self.wake
        }
        wake?()
    }

    /// All producers finished.
    var isClosed: Bool { lock.withLock { producers <= 0 } }

    /// Drops everything still queued (shutdown past its deadline); returns the message count.
    func discardQueued() -> Int {
        lock.withLock {
            var n = 0
            while let q = queue.popFirst() {
                q.messages[offset...].forEach { $0.receipt?.fail("shut down before delivery") }
                n += q.messages.count - offset
                offset = 0
            }
            offsetCost = 0
            queuedBytes = 0
            return n
        }
    }
}
