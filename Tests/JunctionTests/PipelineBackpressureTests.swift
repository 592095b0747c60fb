import Foundation
import Testing
@testable import Junction

@Suite struct PipelineBackpressureTests {
    @Test func slowSinkPausesFastSourceAndEveryMessageArrivesOnceInOrder() throws {
        let t = TestComponents()
        let source = CountingSource(count: 20_000, batchSize: 50, payloadSize: 100)
        let sink = CollectingSink(delay: 0.001)
        t.sources["fast"] = source
        t.sinks["slow"] = sink
        let pipeline = try t.pipeline("""
            sources: { fast: { type: test } }
            sinks: { slow: { type: test } }
            routes:
              - { from: [fast], to: [slow], when_full: block, high_water: 64KiB, low_water: 16KiB }
            """)
        try pipeline.start()
        #expect(waitFinished(pipeline))
        let seqs = sequenceNumbers(sink.messages)
        #expect(seqs.count == 20_000)
        #expect(seqs == Array(0..<seqs.count))
        #expect(source.pauses > 0)
        // Memory stays bounded by the water marks: one batch (5,000 bytes) past high water at most, per edge.
        for edge in pipeline.inlets + pipeline.edges(into: "slow") {
            #expect(edge.peakBufferedAmount <= 64 * 1024 + 50 * 100 + 256 * 1024, "\(edge.name) peaked at \(edge.peakBufferedAmount)")
            #expect(edge.droppedMessages == 0)
        }
        #expect(pipeline.edges(into: "slow")[0].peakBufferedAmount <= 64 * 1024 + 256 * 1024)
        #expect(sink.closed)
    }

    @Test func fanOutStalledSinkUnderBlockHoldsEveryoneThenAllComplete() throws {
        let t = TestComponents()
        t.sources["src"] = CountingSource(count: 5_000, batchSize: 10, payloadSize: 100)
        let good = CollectingSink()
        let stalled = CollectingSink(stalled: true)
        t.sinks["good"] = good
        t.sinks["stalled"] = stalled
        let pipeline = try t.pipeline("""
            sources: { src: { type: test } }
            sinks: { good: { type: test }, stalled: { type: test } }
            routes:
              - { from: [src], to: [good, stalled], high_water: 8KiB }
            """)
        try pipeline.start()
        Thread.sleep(forTimeInterval: 0.3)
        // The slowest sink sets the pace: the good sink got a bounded prefix, not everything.
        let early = good.messages.count
        #expect(early < 5_000)
        #expect(sequenceNumbers(good.messages).elementsEqual(0..<early))
        stalled.unstall()
        #expect(waitFinished(pipeline))
        #expect(sequenceNumbers(good.messages).elementsEqual(0..<5_000))
        #expect(sequenceNumbers(stalled.messages).elementsEqual(0..<5_000))
    }

    @Test func stalledSinkWithDropOldestDoesNotCorruptTheOthers() throws {
        let t = TestComponents()
        t.sources["src"] = CountingSource(count: 10_000, batchSize: 10, payloadSize: 100)
        let good = CollectingSink()
        let stalled = CollectingSink(stalled: true)
        t.sinks["good"] = good
        t.sinks["stalled"] = stalled
        let pipeline = try t.pipeline("""
            sources: { src: { type: test } }
            sinks: { good: { type: test }, stalled: { type: test } }
            routes:
              - { from: [src], to: [good], high_water: 8KiB }
              - { from: [src], to: [stalled], when_full: drop_oldest, high_water: 8KiB }
            """)
        try pipeline.start()
        let deadline = Date().addingTimeInterval(20)
        while good.messages.count < 10_000, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        let goodSeqs = sequenceNumbers(good.messages)
        #expect(goodSeqs.count == 10_000)
        #expect(goodSeqs == Array(0..<goodSeqs.count), "first gap at \(zip(goodSeqs, 0...).first { $0 != $1 }.map { "\($0)" } ?? "none")")
        let dropped = pipeline.edges(into: "stalled")[0].droppedMessages + pipeline.inlets[1].droppedMessages
        #expect(dropped > 0)
        #expect(pipeline.edges(into: "stalled")[0].peakBufferedAmount <= 8 * 1024 + 2 * 1024 + 10 * 100)
        stalled.unstall()
        #expect(waitFinished(pipeline))
        // What the stalled sink got is strictly increasing, ends with the newest message, and adds up.
        let got = sequenceNumbers(stalled.messages)
        #expect(zip(got, got.dropFirst()).allSatisfy { $0 < $1 })
        #expect(got.last == 9_999)
        #expect(got.count + dropped == 10_000)
    }

    @Test func fanInDeliversBothSourcesInTheirOwnOrder() throws {
        let t = TestComponents()
        t.sources["a"] = CountingSource(count: 3_000, batchSize: 7)
        t.sources["b"] = CountingSource(count: 2_000, batchSize: 13)
        let sink = CollectingSink(delay: 0.0005)
        t.sinks["out"] = sink
        let pipeline = try t.pipeline("""
            sources: { a: { type: test }, b: { type: test } }
            sinks: { out: { type: test } }
            routes:
              - { from: [a, b], to: [out], high_water: 4KiB }
            """)
        try pipeline.start()
        #expect(waitFinished(pipeline))
        let seqs = sequenceNumbers(sink.messages)
        #expect(seqs.count == 5_000)
        // Each source's numbers appear in order; 0..<2000 twice (a and b), 2000..<3000 once.
        #expect(Dictionary(grouping: seqs, by: { $0 }).values.map(\.count).max() == 2)
    }

    @Test func shutdownStopsSourcesAndDrains() throws {
        let t = TestComponents()
        let source = CountingSource(count: 10_000_000, batchSize: 100)
        let sink = CollectingSink(delay: 0.0005)
        t.sources["endless"] = source
        t.sinks["out"] = sink
        let pipeline = try t.pipeline("""
            sources: { endless: { type: test } }
            sinks: { out: { type: test } }
            routes:
              - { from: [endless], to: [out], high_water: 64KiB }
            """)
        try pipeline.start()
        Thread.sleep(forTimeInterval: 0.2)
        let lost = LockedBox<Int?>(nil)
        let done = DispatchSemaphore(value: 0)
        pipeline.shutdown(timeout: 10) { n in
            lost.value = n
            done.signal()
        }
        #expect(done.wait(timeout: .now() + 15) == .success)
        #expect(lost.value == 0)
        #expect(sink.closed)
        let seqs = sequenceNumbers(sink.messages)
        #expect(seqs.elementsEqual(0..<seqs.count))
        #expect(seqs.count < 10_000_000)
    }

    @Test func rejectedMessagesGoToTheErrorsSink() throws {
        let t = TestComponents()
        t.sources["src"] = CountingSource(count: 100, batchSize: 10)
        let out = CollectingSink(), errors = CollectingSink()
        t.sinks["out"] = out
        t.sinks["errs"] = errors
        t.stages["odd"] = { RejectOdd() }
        let pipeline = try t.pipeline("""
            sources: { src: { type: test } }
            stages: { odd: { type: test } }
            sinks: { out: { type: test }, errs: { type: test } }
            routes:
              - { from: [src], via: [odd], to: [out], errors: errs }
            """)
        try pipeline.start()
        #expect(waitFinished(pipeline))
        #expect(sequenceNumbers(out.messages) == Array(stride(from: 0, to: 100, by: 2)))
        #expect(sequenceNumbers(errors.messages) == Array(stride(from: 1, to: 100, by: 2)))
        #expect(errors.messages.first?.metadata["error"] == "odd")
        #expect(errors.messages.first?.metadata["error_stage"] == "odd")
        #expect(pipeline.rejectedCounts == [50])
    }
}

final class RejectOdd: Stage {
    func process(_ message: Message, into output: inout StageOutput) {
        if sequenceNumbers([message])[0] % 2 == 1 { output.reject(message, reason: "odd") } else { output.emit(message) }
    }
}

final class LockedBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var _value: T
    init(_ v: T) { _value = v }
    var value: T {
        get { lock.withLock { _value } }
        set { lock.withLock { _value = newValue } }
    }
}
