import Foundation
@testable import Junction

/// A source that emits `count` numbered text messages from its own thread,
/// in batches, honouring pause like a real transport would.
final class CountingSource: Source, @unchecked Sendable {
    let count: Int
    let batchSize: Int
    let payloadSize: Int
    private let condition = NSCondition()
    private var paused = false
    private var stopped = false
    private(set) var pauseCalls = 0
    /// The most messages emitted while a pause was in force (a real pause keeps this at 0).
    private(set) var emittedWhilePaused = 0

    init(count: Int, batchSize: Int = 100, payloadSize: Int = 100) {
        self.count = count
        self.batchSize = batchSize
        self.payloadSize = payloadSize
    }

    func start(_ output: any SourceOutput) throws {
        Thread { [self] in
            var seq = 0
            while seq < count {
                condition.lock()
                while paused, !stopped { condition.wait() }
                let stop = stopped
                condition.unlock()
                if stop { break }
                var batch: [Message] = []
                for _ in 0..<min(batchSize, count - seq) {
                    var text = "\(seq)"
                    text += String(repeating: "x", count: max(0, payloadSize - text.count))
                    batch.append(Message(text: text))
                    seq += 1
                }
                output.emit(batch)
            }
            output.finish()
        }.start()
    }

    func pause() { condition.withLock { paused = true; pauseCalls += 1 } }
    func resume() { condition.withLock { paused = false; condition.broadcast() } }
    func stop() { condition.withLock { stopped = true; condition.broadcast() } }
    var pauses: Int { condition.withLock { pauseCalls } }
}

/// A sink that records messages and completes each batch after `delay` seconds
/// (or never while `stalled`).
final class CollectingSink: Sink, @unchecked Sendable {
    private let lock = NSLock()
    private var _messages: [Message] = []
    private var pending: [@Sendable () -> Void] = []
    private var _stalled: Bool
    private(set) var closed = false
    let delay: Double

    init(delay: Double = 0, stalled: Bool = false) {
        self.delay = delay
        self._stalled = stalled
    }

    var messages: [Message] { lock.withLock { _messages } }
    var texts: [String] { messages.map(\.text) }

    func write(_ batch: [Message], completion: @escaping @Sendable () -> Void) {
        let stalled: Bool = lock.withLock {
            _messages.append(contentsOf: batch)
            if _stalled { pending.append(completion) }
            return _stalled
        }
        if stalled { return }
        if delay == 0 { completion() } else { DispatchQueue.global().asyncAfter(deadline: .now() + delay, execute: completion) }
    }

    func close(completion: @escaping @Sendable () -> Void) {
        lock.withLock { closed = true }
        completion()
    }

    /// Lets a stalled sink go on.
    func unstall() {
        let waiting: [@Sendable () -> Void] = lock.withLock {
            _stalled = false
            defer { pending = [] }
            return pending
        }
        waiting.forEach { $0() }
    }
}

/// Empty config for test components.
struct NoConfig: ComponentConfig {
    static let fields: [ConfigField<NoConfig>] = []
}

/// Builds a registry whose `count`/`collect` types hand out the given instances by name.
final class TestComponents: @unchecked Sendable {
    var sources: [String: any Source] = [:]
    var sinks: [String: any Sink] = [:]
    var stages: [String: () -> any Stage] = [:]

    var registry: PluginRegistry {
        var r = PluginRegistry()
        r.registerSource("test", config: NoConfig.self, doc: "test source") { [self] _, ctx in sources[ctx.name]! }
        r.registerSink("test", config: NoConfig.self, doc: "test sink") { [self] _, ctx in sinks[ctx.name]! }
        r.registerStage("test", config: NoConfig.self, doc: "test stage") { [self] _, ctx in stages[ctx.name]!() }
        return r
    }

    func pipeline(_ yaml: String) throws -> Pipeline {
        let graph = try GraphBuilder(registry: registry, environment: ConfigEnvironment([:])).load(yaml: yaml)
        return try Pipeline(graph: graph)
    }
}

/// Waits until the pipeline finishes or `timeout` passes; returns whether it finished.
func waitFinished(_ pipeline: Pipeline, timeout: Double = 20) -> Bool {
    let done = DispatchSemaphore(value: 0)
    pipeline.onFinished { done.signal() }
    return done.wait(timeout: .now() + timeout) == .success
}

func sequenceNumbers(_ messages: [Message]) -> [Int] {
    messages.map { Int($0.text.prefix { $0.isNumber })! }
}
