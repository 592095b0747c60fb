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

    var isPaused: Bool { gate.isHeld }

    func emit(_ batch: [Message]) {
        guard !batch.isEmpty else { return }
        if lock.withLock({ finished }) {
            lock.withLock { lateMessages += batch.count }
            return
        }
        lock.withLock { emitted += batch.count }
        metrics.sent(batch.count, bytes: batch.byteSize)
        for inlet in inlets { inlet.push(batch) }
    }

    func finish() {
        let first: Bool = lock.withLock {
            defer { finished = true }
            return !finished
        }
        guard first else { return }
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
