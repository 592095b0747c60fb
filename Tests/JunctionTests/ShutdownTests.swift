import Foundation
import Testing
@testable import Junction

/// Holds every message it gets until the input ends, and wants no more input meanwhile
/// (like a rate limiter out of tokens for a long time).
final class HoldAllStage: Stage {
    private var held: [Message] = []
    func process(_ message: Message, into output: inout StageOutput) { held.append(message) }
    func finish(into output: inout StageOutput) {
        output.messages += held
        held = []
    }
    var isHolding: Bool { !held.isEmpty }
    var heldCount: Int { held.count }
}

/// A sink that reports every message of every batch as failed.
final class FailingSink: ReportingSink {
    func write(_ batch: [Message], reporting completion: @escaping @Sendable (_ failed: Int) -> Void) { completion(batch.count) }
}

@Suite struct ShutdownTests {
    @Test func lostCountsMessagesHeldInStagesAndInASinkWrite() throws {
        let t = TestComponents()
        t.sources["src"] = CountingSource(count: 100, batchSize: 10)
        let out = CollectingSink()
        let stalled = CollectingSink(stalled: true)
        t.sinks["out"] = out
        t.sinks["stalled"] = stalled
        let hold = HoldAllStage()
        t.stages["hold"] = { hold }
        let pipeline = try t.pipeline("""
            sources: { src: { type: test } }
            stages: { hold: { type: test } }
            sinks: { out: { type: test }, stalled: { type: test } }
            routes:
              - { from: [src], via: [hold], to: [out] }
              - { from: [src], to: [stalled] }
            """)
        try pipeline.start()
        // Route 1: the stage holds what the runner took first, the rest waits in the inlet.
        // Route 2: the stalled sink has a batch in its hands, the rest waits on its edge.
        let held = { pipeline.runners[0].queue.sync { hold.heldCount } }
        let deadline = Date().addingTimeInterval(10)
        while pipeline.inlets[0].pushedMessages < 100 || held() == 0
            || pipeline.edges(into: "stalled")[0].pushedMessages < 100 || stalled.messages.isEmpty,
            Date() < deadline {
            Thread.sleep(forTimeInterval: 0.01)
        }
        #expect(held() > 0)
        let inFlight = stalled.messages.count
        #expect(inFlight > 0)
        let lost = LockedBox<Int?>(nil)
        let done = DispatchSemaphore(value: 0)
        pipeline.shutdown(timeout: 0.2) { n in
            lost.value = n
            done.signal()
        }
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(out.messages.isEmpty)
        // Route 1: in the stage or its inlet; route 2: in the sink's write or on its edge.
        #expect(lost.value == 200)
    }

    @Test func failedWritesAreNotCountedAsWritten() throws {
        let t = TestComponents()
        t.sources["src"] = CountingSource(count: 50, batchSize: 10)
        t.sinks["bad"] = FailingSink()
        let pipeline = try t.pipeline("""
            sources: { src: { type: test } }
            sinks: { bad: { type: test } }
            routes: [ { from: [src], to: [bad] } ]
            """)
        try pipeline.start()
        #expect(waitFinished(pipeline))
        let stats = pipeline.statsSummary()
        #expect(stats["sink.bad"] == "0")
        #expect(stats["failed.bad"] == "50")
        let lost = LockedBox<Int?>(nil)
        let done = DispatchSemaphore(value: 0)
        pipeline.shutdown(timeout: 1) { n in
            lost.value = n
            done.signal()
        }
        #expect(done.wait(timeout: .now() + 5) == .success)
        #expect(lost.value == 50)
    }
}
