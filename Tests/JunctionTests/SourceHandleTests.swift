import Foundation
import Logging
import Testing
@testable import Junction

/// A source whose `pause()` blocks until the test lets it go, to hold an emit halfway.
final class BlockingPauseSource: Source, @unchecked Sendable {
    let pauseEntered = DispatchSemaphore(value: 0)
    let finishPause = DispatchSemaphore(value: 0)
    func start(_ output: any SourceOutput) throws {}
    func pause() {
        pauseEntered.signal()
        finishPause.wait()
    }
    func resume() {}
    func stop() {}
}

@Suite struct SourceHandleTests {
    @Test func anEmitRacingFinishIsPushedBeforeTheInletsClose() {
        let source = BlockingPauseSource()
        let handle = SourceHandle(name: "s", source: source, logger: Logger(label: "test"),
                                  metrics: ComponentMetrics(component: "s", kind: "source")) {}
        // The first inlet fills on the first message, so that push pauses the source, whose
        // pause blocks: the emit is held between its two pushes while finish() comes in.
        let first = Edge(name: "a", policy: .block, highWater: 1, lowThreshold: 0, producers: 1)
        let second = Edge(name: "b", policy: .block, highWater: 1 << 20, lowThreshold: 0, producers: 1)
        let seen = LockedEvents()
        second.setConsumer { seen.append("\(second.isClosed ? "closed" : "open") \(second.pushedMessages)") }
        handle.attach(first)
        handle.attach(second)

        let emitter = Thread { handle.emit([Message(text: "x")]) }
        emitter.start()
        source.pauseEntered.wait()
        handle.finish()
        source.finishPause.signal()

        let deadline = Date().addingTimeInterval(5)
        while !second.isClosed, Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
        Thread.sleep(forTimeInterval: 0.05)
        #expect(second.isClosed && first.isClosed)
        #expect(second.pushedMessages == 1)
        // Nothing arrived after the inlet heard that its producer finished.
        #expect(seen.value.filter { $0.hasPrefix("closed") }.allSatisfy { $0 == "closed 1" }, "\(seen.value)")
        #expect(handle.emittedCount == 1)
    }

    @Test func emitsAfterFinishAreCountedNotPushed() {
        let handle = SourceHandle(name: "s", source: NullSource(), logger: Logger(label: "test"),
                                  metrics: ComponentMetrics(component: "s", kind: "source")) {}
        let inlet = Edge(name: "a", policy: .block, highWater: 1 << 20, lowThreshold: 0, producers: 1)
        handle.attach(inlet)
        handle.emit([Message(text: "before")])
        handle.finish()
        handle.emit([Message(text: "after"), Message(text: "after")])
        #expect(inlet.pushedMessages == 1 && inlet.isClosed)
        #expect(handle.discardedAfterStop == 2)
    }
}
