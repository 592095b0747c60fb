import Foundation
import Testing
@testable import Junction

/// A source the test drives by hand: `send` emits at once.
final class ManualSource: Source, @unchecked Sendable {
    private let lock = NSLock()
    private var output: (any SourceOutput)?
    func start(_ output: any SourceOutput) throws { lock.withLock { self.output = output } }
    func pause() {}
    func resume() {}
    func stop() {}
    func send(_ batch: [Message]) { lock.withLock { output }?.emit(batch) }
    func finish() { lock.withLock { output }?.finish() }
}

/// Collects receipt outcomes by message text.
final class Outcomes: @unchecked Sendable {
    private let lock = NSLock()
    private var byText: [String: Receipt.Outcome] = [:]
    private var settledCount: [String: Int] = [:]

    /// A message whose receipt reports here.
    func message(_ text: String) -> Message {
        var m = Message(text: text)
        m.receipt = Receipt { [self] outcome in
            lock.withLock {
                byText[text] = outcome
                settledCount[text, default: 0] += 1
            }
        }
        return m
    }

    subscript(_ text: String) -> Receipt.Outcome? { lock.withLock { byText[text] } }
    func settles(_ text: String) -> Int { lock.withLock { settledCount[text] ?? 0 } }

    /// Waits until `text` settled, up to `timeout` seconds.
    func wait(_ text: String, timeout: Double = 5) -> Receipt.Outcome? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let o = self[text] { return o }
            Thread.sleep(forTimeInterval: 0.005)
        }
        return nil
    }
}

/// Drops messages whose text starts with "drop".
final class DropPrefixed: Stage {
    func process(_ message: Message, into output: inout StageOutput) {
        if !message.text.hasPrefix("drop") { output.emit(message) }
    }
}

@Suite struct ReceiptTests {
    @Test func settlesOnceAfterEverySinkOfAFanOutCompleted() throws {
        let t = TestComponents()
        let source = ManualSource()
        let fast = CollectingSink()
        let stalled = CollectingSink(stalled: true)
        t.sources["src"] = source
        t.sinks["fast"] = fast
        t.sinks["stalled"] = stalled
        let pipeline = try t.pipeline("""
            sources: { src: { type: test } }
            sinks: { fast: { type: test }, stalled: { type: test } }
            routes:
              - { from: [src], to: [fast, stalled] }
            """)
        try pipeline.start()
        let outcomes = Outcomes()
        source.send([outcomes.message("a"), outcomes.message("b")])
        let deadline = Date().addingTimeInterval(5)
        while fast.messages.count < 2 || stalled.messages.count < 2, Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
        #expect(fast.messages.count == 2)
        // The stalled sink holds the batch: nothing is settled yet.
        Thread.sleep(forTimeInterval: 0.1)
        #expect(outcomes["a"] == nil)
        stalled.unstall()
        #expect(outcomes.wait("a") == .accepted)
        #expect(outcomes.wait("b") == .accepted)
        // The sinks keep their messages, but not the receipts: they settled anyway, once.
        #expect(stalled.messages.allSatisfy { $0.receipt == nil })
        source.finish()
        #expect(waitFinished(pipeline))
        #expect(outcomes.settles("a") == 1)
    }

    @Test func aFailingSinkFailsTheReceipt() throws {
        let t = TestComponents()
        let source = ManualSource()
        t.sources["src"] = source
        t.sinks["bad"] = FailingSink()
        let pipeline = try t.pipeline("""
            sources: { src: { type: test } }
            sinks: { bad: { type: test } }
            routes: [ { from: [src], to: [bad] } ]
            """)
        try pipeline.start()
        let outcomes = Outcomes()
        source.send([outcomes.message("x")])
        guard case .failed(let reason) = outcomes.wait("x") else {
            Issue.record("expected failed, got \(String(describing: outcomes["x"]))")
            return
        }
        #expect(reason.contains("bad"))
        source.finish()
        #expect(waitFinished(pipeline))
    }

    @Test func filteredIsAcceptedAndRejectedIsRejectedEvenWithAnErrorsSink() throws {
        let t = TestComponents()
        let source = ManualSource()
        let out = CollectingSink()
        let errors = CollectingSink()
        t.sources["src"] = source
        t.sinks["out"] = out
        t.sinks["errors"] = errors
        t.stages["filter"] = { DropPrefixed() }
        t.stages["odd"] = { RejectOdd() }
        let pipeline = try t.pipeline("""
            sources: { src: { type: test } }
            stages: { filter: { type: test }, odd: { type: test } }
            sinks: { out: { type: test }, errors: { type: test } }
            routes: [ { from: [src], via: [filter, odd], to: [out], errors: errors } ]
            """)
        try pipeline.start()
        let outcomes = Outcomes()
        source.send([outcomes.message("2 even"), outcomes.message("3 odd"), outcomes.message("drop 4")])
        #expect(outcomes.wait("2 even") == .accepted)
        #expect(outcomes.wait("3 odd") == .rejected("odd: odd"))
        #expect(outcomes.wait("drop 4") == .accepted)
        source.finish()
        #expect(waitFinished(pipeline))
        #expect(errors.texts == ["3 odd"])
    }

    @Test func aDropByAFullEdgeFailsTheReceipt() throws {
        let t = TestComponents()
        let source = ManualSource()
        let stalled = CollectingSink(stalled: true)
        t.sources["src"] = source
        t.sinks["stalled"] = stalled
        let pipeline = try t.pipeline("""
            sources: { src: { type: test } }
            sinks: { stalled: { type: test } }
            routes: [ { from: [src], to: [stalled], when_full: drop_newest, high_water: 1KiB } ]
            """)
        try pipeline.start()
        let outcomes = Outcomes()
        let big = String(repeating: "x", count: 600)
        // The first fills the sink's hands, the next two the 1 KiB queue (one fits), the last is dropped.
        for i in 0..<4 {
            source.send([outcomes.message("\(i)" + big)])
            Thread.sleep(forTimeInterval: 0.05)
        }
        guard case .failed(let reason) = outcomes.wait("3" + big) else {
            Issue.record("expected the newest to be dropped, got \(String(describing: outcomes["3" + big]))")
            return
        }
        #expect(reason.contains("drop_newest"))
        #expect(outcomes["0" + big] == nil)
        stalled.unstall()
        #expect(outcomes.wait("0" + big) == .accepted)
        source.finish()
        #expect(waitFinished(pipeline))
    }

    @Test func aCombinedReceiptHoldsItsPartsAndPassesMarksOn() {
        let outcomes = Outcomes()
        let a = outcomes.message("a"), b = outcomes.message("b")
        var combined: Receipt? = Receipt(combining: [a.receipt!, b.receipt!])
        #expect(Receipt(combining: []) == nil)
        // The parts' own messages go; the combined receipt keeps them unsettled.
        _ = consume a
        _ = consume b
        #expect(outcomes["a"] == nil)
        combined?.fail("sink down")
        combined = nil
        #expect(outcomes["a"] == .failed("sink down"))
        #expect(outcomes["b"] == .failed("sink down"))
    }

    @Test func theFirstMarkWins() {
        let outcomes = Outcomes()
        var m: Message? = outcomes.message("m")
        m?.receipt?.reject("bad json")
        m?.receipt?.fail("later failure")
        m = nil
        #expect(outcomes["m"] == .rejected("bad json"))
        #expect(outcomes.settles("m") == 1)
    }
}
