import Foundation
import Logging

/// The runtime's side of one source: fans its batches into the inlets of
/// every route that reads it, and pauses it while any of them is full.
final class SourceHandle: SourceOutput, @unchecked Sendable {
    let name: String
    let source: any Source
    private(set) var inlets: [Edge] = []
    private let metrics: ComponentMetrics
    private let logger: Logger
    private let lock = NSLock()
    private var finished = false
    private var emitting = 0  // emits past the finished-check, still pushing
    private var closed = false  // the inlets heard producerFinished
    private var lateMessages = 0
    private var emitted = 0
    private let onFinished: @Sendable () -> Void
    private(set) lazy var gate = FlowGate(
        onPause: { [weak self] in self?.source.pause() },
        onResume: { [weak self] in self?.source.resume() }
    )

    init(name: String, source: any Source, logger: Logger, metrics: ComponentMetrics, onFinished: @escaping @Sendable () -> Void) {
        self.name = name
        self.source = source
        self.logger = logger
        self.metrics = metrics
        self.onFinished = onFinished
    }

    func attach(_ inlet: Edge) {
        inlets.append(inlet)
        inlet.addUpstream(gate)
    }

    var isPaused: Bool { gate.isPaused }

    /// Delivers a batch to every inlet, unless the output has finished.
    ///
    /// The finished-check and the pushes are one step as far as `finish()` is
    /// concerned: a batch that passed the check is pushed before the inlets hear
    /// that this producer finished (`finish()` leaves closing them to the last
    /// emit in progress). No lock is held while pushing, since a push may pause
    /// the source through its gate.
    func emit(_ batch: [Message]) {
        guard !batch.isEmpty else { return }
        let accepted: Bool = lock.withLock {
            if finished {
                batch.failReceipts("source \(name) had stopped")
                lateMessages += batch.count
                return false
            }
            emitting += 1
            emitted += batch.count
            return true
        }
        guard accepted else { return }
        metrics.sent(batch.count, bytes: batch.byteSize)
        for inlet in inlets { inlet.push(batch) }
        let closeNow: Bool = lock.withLock {
            emitting -= 1
            guard emitting == 0, finished, !closed else { return false }
            closed = true
            return true
        }
        if closeNow { closeInlets() }
    }

    func finish() {
        let closeNow: Bool = lock.withLock {
            finished = true
            guard emitting == 0, !closed else { return false }
            closed = true
            return true
        }
        if closeNow { closeInlets() }
    }

    private func closeInlets() {
        for inlet in inlets { inlet.producerFinished() }
        onFinished()
    }

    /// Stops the source and closes its output (shutdown).
    func stop() {
        source.stop()
        finish()
    }

    /// Messages emitted so far.
    var emittedCount: Int { lock.withLock { emitted } }

    /// Messages emitted after the source was stopped (not delivered).
    var discardedAfterStop: Int { lock.withLock { lateMessages } }
}
