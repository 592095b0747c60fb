import Dispatch
import Foundation
import Logging

/// Runs one route: takes batches from the route's inlet edge, passes them
/// through the stages on a serial queue, and pushes the results into one edge
/// per sink. While a sink edge under `block` is full, the runner stops taking
/// input, so the inlet fills and the route's sources pause. A route without
/// stages only moves batches on, so its passes may run on the pushing thread
/// (see ``RuntimeQueue``).
final class RouteRunner: @unchecked Sendable {
    let name: String
    let queue: DispatchQueue
    let inlet: Edge
    /// Sink name → edge, in `to:` order.
    let outputs: [(name: String, edge: Edge)]
    let errorsEdge: Edge?
    private let stages: [any Stage]
    private let stageNames: [String]
    private let logger: Logger
    /// Passes stop on the gate's announced pause (``FlowGate/isPaused``), not
    /// on its raw hold count: a hold released before it was announced never
    /// brings a resume, so a pass that stopped on the count alone could wait
    /// for one forever. A pause announced after a pass looked costs at most
    /// that pass's overshoot.
    private(set) lazy var gate = FlowGate(
        onPause: {},
        onResume: { [weak self] in self?.schedule() }
    )

    // Queue-confined state.
    private var scheduled = false
    private var finished = false
    private var timerDeadline: UInt64?
    private let scheduleLock = NSLock()

    /// Messages rejected by stages (with or without an errors sink).
    private(set) var rejectedCount = 0
    private let onFinished: @Sendable () -> Void
    private let metrics: RouteMetrics

    init(name: String, inlet: Edge, stages: [(String, any Stage)], outputs: [(String, Edge)], errorsEdge: Edge?,
         logger: Logger, metrics: RouteMetrics, onFinished: @escaping @Sendable () -> Void) {
        self.name = name
        self.queue = RuntimeQueue.make(label: "junction.route.\(name)", kind: .route)
        self.inlet = inlet
        self.stages = stages.map(\.1)
        self.stageNames = stages.map(\.0)
        self.outputs = outputs
        self.errorsEdge = errorsEdge
        self.logger = logger
        self.metrics = metrics
        self.onFinished = onFinished
        inlet.setConsumer { [weak self] in self?.schedule() }
    }

    /// Asks for a drain pass on the route queue (coalesced).
    func schedule() {
        let go: Bool = scheduleLock.withLock {
            if scheduled { return false }
            scheduled = true
            return true
        }
        if go { RuntimeQueue.run(on: queue, kind: .route, inline: stages.isEmpty) { budget in self.drain(budget: budget) } }
    }

    private func drain(budget: Int = .max) {
        scheduleLock.withLock { scheduled = false }
        guard !finished else { return }
        runTimers()
        var taken = 0
        while !gate.isPaused, !stages.contains(where: { $0.isHolding }) {
            if taken == budget {
                schedule()  // on the queue now: async
                return
            }
            taken += 1
            guard let batch = inlet.pop(maxBytes: 256 * 1024) else { break }
            let cost = batch.accountedSize
            metrics.received(batch.count, bytes: batch.byteSize)
            run(consume batch, from: 0)
            inlet.complete(accounted: cost)
        }
        if inlet.isClosed, inlet.isEmpty, !stages.contains(where: { $0.isHolding }) {
            finish()
            return
        }
        armTimer()
    }

    /// Stops the route where it stands (shutdown past its deadline); returns the
    /// messages its stages still hold, which will not be delivered.
    func abandon() -> Int {
        queue.sync {
            guard !finished else { return 0 }
            finished = true
            return stages.reduce(0) { $0 + $1.heldCount }
        }
    }

    /// Sends `messages` through stages `index...` and into the outputs.
    private func run(_ messages: consuming [Message], from index: Int) {
        var current = messages
        var i = index
        var rejected: [(message: Message, reason: String)] = []
        while i < stages.count, !current.isEmpty {
            stages[i].process(batch: &current, rejected: &rejected)
            if !rejected.isEmpty {
                handleRejected(rejected, stage: i)
                rejected.removeAll()
            }
            i += 1
        }
        deliver(current)
    }

    private func handleRejected(_ rejected: [(message: Message, reason: String)], stage: Int) {
        guard !rejected.isEmpty else { return }
        rejectedCount += rejected.count
        for r in rejected { r.message.receipt?.reject("\(stageNames[stage]): \(r.reason)") }
        metrics.rejected(rejected.count, stage: stageNames[stage])
        if let errorsEdge {
            errorsEdge.push(rejected.map { r in
                var m = r.message
                m.metadata["error"] = r.reason
                m.metadata["error_stage"] = stageNames[stage]
                m.metadata["error_route"] = name
                m.targets = nil
                return m
            })
        } else {
            logger.warning("stage rejected messages", metadata: [
                "stage": "\(stageNames[stage])", "count": "\(rejected.count)", "reason": "\(rejected[0].reason)",
            ])
        }
    }

    private func deliver(_ messages: [Message]) {
        guard !messages.isEmpty else { return }
        if outputs.count == 1, !messages.contains(where: { $0.targets != nil }) {
            outputs[0].edge.push(messages)
            metrics.sent(messages.count)
            return
        }
        var perOutput = [[Message]](repeating: [], count: outputs.count)
        for var m in messages {
            let targets = m.targets
            m.targets = nil
            for (j, output) in outputs.enumerated() where targets == nil || targets!.contains(output.name) {
                perOutput[j].append(m)
            }
        }
        var sent = 0
        for (j, batch) in perOutput.enumerated() where !batch.isEmpty {
            outputs[j].edge.push(batch)
            sent += batch.count
        }
        metrics.sent(sent)
    }

    private func runTimers() {
        let now = DispatchTime.now().uptimeNanoseconds
        for (i, stage) in stages.enumerated() {
            guard let deadline = stage.nextDeadline, deadline <= now else { continue }
            var out = StageOutput()
            stage.flush(now: now, into: &out)
            handleRejected(out.rejected, stage: i)
            run(out.messages, from: i + 1)
        }
    }

    private func armTimer() {
        guard let next = stages.compactMap(\.nextDeadline).min() else { return }
        if let current = timerDeadline, current <= next, current > DispatchTime.now().uptimeNanoseconds { return }
        timerDeadline = next
        queue.asyncAfter(deadline: DispatchTime(uptimeNanoseconds: next)) { [weak self] in
            guard let self else { return }
            if self.timerDeadline == next { self.timerDeadline = nil }
            self.drain()
        }
    }

    private func finish() {
        finished = true
        for (i, stage) in stages.enumerated() {
            var out = StageOutput()
            stage.finish(into: &out)
            handleRejected(out.rejected, stage: i)
            run(out.messages, from: i + 1)
        }
        for output in outputs { output.edge.producerFinished() }
        errorsEdge?.producerFinished()
        onFinished()
    }
}
