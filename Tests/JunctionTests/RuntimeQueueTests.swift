import Foundation
import Testing
@testable import Junction

/// Where drain passes run: a route without stages and a ``HandOffSink`` run on
/// the emitting thread; stages and other sinks on the runtime's queues.
@Suite struct RuntimeQueueTests {
    /// Emits `batches` batches of one numbered message from its own thread,
    /// noting which thread that is; honours pause.
    final class ThreadSource: Source, @unchecked Sendable {
        let batches: Int
        let tag: String
        private let condition = NSCondition()
        private var paused = false
        private var stopped = false
        private(set) var thread: pthread_t?

        init(batches: Int, tag: String = "") {
            self.batches = batches
            self.tag = tag
        }

        func start(_ output: any SourceOutput) throws {
            Thread { [self] in
                condition.withLock { thread = pthread_self() }
                for seq in 0..<batches {
                    condition.lock()
                    while paused, !stopped { condition.wait() }
                    let stop = stopped
                    condition.unlock()
                    if stop { break }
                    output.emit([Message(text: "\(seq)", metadata: ["tag": tag])])
                }
                output.finish()
            }.start()
        }

        func pause() { condition.withLock { paused = true } }
        func resume() { condition.withLock { paused = false; condition.broadcast() } }
        func stop() { condition.withLock { stopped = true; condition.broadcast() } }
        var emittingThread: pthread_t? { condition.withLock { thread } }
    }

    /// Records each write's thread and messages; completes inside `write`, or
    /// every `asyncEvery`-th batch later from another thread.
    class ThreadSink: Sink, @unchecked Sendable {
        private let lock = NSLock()
        private var _threads: [pthread_t] = []
        private var _messages: [Message] = []
        let asyncEvery: Int

        init(asyncEvery: Int = 0) { self.asyncEvery = asyncEvery }

        func write(_ batch: [Message], completion: @escaping @Sendable () -> Void) {
            let n: Int = lock.withLock {
                _threads.append(pthread_self())
                _messages.append(contentsOf: batch)
                return _threads.count
            }
            if asyncEvery > 0, n % asyncEvery == 0 {
                DispatchQueue.global().async(execute: completion)
            } else {
                completion()
            }
        }

        var threads: [pthread_t] { lock.withLock { _threads } }
        var messages: [Message] { lock.withLock { _messages } }
    }

    final class HandOffThreadSink: ThreadSink, HandOffSink {}

    final class PassThrough: Stage {
        func process(_ message: Message, into output: inout StageOutput) { output.emit(message) }
    }

    func run(_ sink: ThreadSink, batches: Int, stage: Bool = false, route: String = "") throws -> (ThreadSource, ThreadSink) {
        let t = TestComponents()
        let source = ThreadSource(batches: batches)
        t.sources["src"] = source
        t.sinks["out"] = sink
        t.stages["pass"] = { PassThrough() }
        let pipeline = try t.pipeline("""
            sources: { src: { type: test } }
            stages: { pass: { type: test } }
            sinks: { out: { type: test } }
            routes:
              - { from: [src], \(stage ? "via: [pass], " : "")to: [out]\(route) }
            """)
        try pipeline.start()
        #expect(waitFinished(pipeline))
        #expect(sequenceNumbers(sink.messages) == Array(0..<batches))
        return (source, sink)
    }

    @Test func handOffSinkWritesOnTheEmittingThread() throws {
        let (source, sink) = try run(HandOffThreadSink(), batches: 200)
        let emitter = try #require(source.emittingThread)
        let onEmitter = sink.threads.filter { pthread_equal($0, emitter) != 0 }.count
        // Every write, barring one that raced the pipeline's start.
        #expect(onEmitter >= sink.threads.count - 1, "\(onEmitter) of \(sink.threads.count) writes on the emitting thread")
    }

    @Test func otherSinksWriteOnTheirQueue() throws {
        let (source, sink) = try run(ThreadSink(), batches: 200)
        let emitter = try #require(source.emittingThread)
        #expect(sink.threads.allSatisfy { pthread_equal($0, emitter) == 0 })
    }

    @Test func stagesRunOnTheRouteQueue() throws {
        let (source, sink) = try run(HandOffThreadSink(), batches: 200, stage: true)
        let emitter = try #require(source.emittingThread)
        #expect(sink.threads.allSatisfy { pthread_equal($0, emitter) == 0 })
    }

    /// Four threads emitting at once into routes that share a hand-off sink
    /// (completing now and later) and a plain one, under `block` with tiny
    /// water marks: inline passes on all four threads and queue passes meet,
    /// and everything arrives, each source's messages in order, with no
    /// thread waiting on another for good.
    @Test func concurrentEmittersNeverWaitOnEachOtherForGood() throws {
        let t = TestComponents()
        let sources = (0..<4).map { ThreadSource(batches: 2_000, tag: "s\($0)") }
        for (i, source) in sources.enumerated() { t.sources["s\(i)"] = source }
        let handOff = HandOffThreadSink(asyncEvery: 5), plain = ThreadSink(asyncEvery: 7)
        t.sinks["fast"] = handOff
        t.sinks["slow"] = plain
        let pipeline = try t.pipeline("""
            sources: { s0: { type: test }, s1: { type: test }, s2: { type: test }, s3: { type: test } }
            sinks: { fast: { type: test }, slow: { type: test } }
            routes:
              - { from: [s0, s1], to: [fast, slow], when_full: block, high_water: 256B }
              - { from: [s2, s3], to: [fast], when_full: block, high_water: 128B }
              - { from: [s3], to: [slow], when_full: block, high_water: 64B }
            """)
        try pipeline.start()
        #expect(waitFinished(pipeline, timeout: 60))
        #expect(handOff.messages.count == 8_000)
        #expect(plain.messages.count == 6_000)
        for (sink, tags) in [(handOff, ["s0", "s1", "s2", "s3"]), (plain, ["s0", "s1", "s3"])] {
            let byTag = Dictionary(grouping: sink.messages) { $0.metadata["tag"] ?? "" }
            for tag in tags {
                #expect(sequenceNumbers(byTag[tag] ?? []) == Array(0..<2_000), "\(tag)")
            }
        }
    }

    /// Completions inside and after `write`, inline passes and queue passes
    /// mixed, under `block` with a tiny high-water mark: nothing lost or reordered.
    @Test func mixedCompletionsUnderBackpressureKeepOrder() throws {
        let (_, sink) = try run(HandOffThreadSink(asyncEvery: 3), batches: 5_000, route: ", when_full: block, high_water: 64B")
        #expect(sink.messages.count == 5_000)
    }
}
