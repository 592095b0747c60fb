import Foundation
import Testing
@testable import Junction

@Suite struct EdgeTests {
    func batch(_ range: Range<Int>, size: Int = 10) -> [Message] {
        range.map { i in
            var text = "\(i)"
            text += String(repeating: ".", count: size - text.count)
            return Message(text: text)
        }
    }

    @Test func blockHoldsUpstreamUntilBufferedAmountLow() {
        let edge = Edge(name: "e", policy: .block, highWater: 100, lowThreshold: 40, producers: 1)
        let paused = Counter()
        let gate = FlowGate(onPause: { paused.add(1) }, onResume: { paused.add(-1) })
        edge.addUpstream(gate)

        edge.push(batch(0..<10))  // 100 bytes: not above the mark
        #expect(!edge.isFull)
        #expect(paused.value == 0)
        edge.push(batch(10..<11))  // 110 > 100: full
        #expect(edge.isFull)
        #expect(paused.value == 1)
        #expect(edge.bufferedAmount == 110)

        let taken = edge.pop(maxBytes: 60)!
        #expect(taken.count == 10)  // a whole pushed batch
        #expect(edge.bufferedAmount == 110)  // in flight still counts
        edge.complete(bytes: taken.byteSize)  // 10 left ≤ 40
        #expect(!edge.isFull)
        #expect(paused.value == 0)
        #expect(edge.lowEvents == 1)
        #expect(edge.droppedMessages == 0)
    }

    @Test func dropOldestKeepsTheNewest() {
        let edge = Edge(name: "e", policy: .dropOldest, highWater: 50, lowThreshold: 25, producers: 1)
        for i in 0..<10 { edge.push(batch(i * 10..<(i * 10 + 10))) }
        var kept: [Message] = []
        while let b = edge.pop(maxBytes: 1000) {
            kept += b
            edge.complete(bytes: b.byteSize)
        }
        #expect(sequenceNumbers(kept) == Array(95..<100))
        #expect(edge.droppedMessages == 95)
        #expect(edge.peakBufferedAmount <= 50)
    }

    @Test func dropNewestKeepsTheOldest() {
        let edge = Edge(name: "e", policy: .dropNewest, highWater: 50, lowThreshold: 25, producers: 1)
        for i in 0..<10 { edge.push(batch(i * 10..<(i * 10 + 10))) }
        var kept: [Message] = []
        while let b = edge.pop(maxBytes: 1000) { kept += b }
        #expect(sequenceNumbers(kept) == Array(0..<5))
        #expect(edge.droppedMessages == 95)
    }

    @Test func popMergesSmallBatchesUpToTheLimit() {
        let edge = Edge(name: "e", policy: .block, highWater: 10_000, lowThreshold: 0, producers: 1)
        for i in 0..<10 { edge.push(batch(i..<(i + 1))) }
        let first = edge.pop(maxBytes: 45)!
        #expect(sequenceNumbers(first) == [0, 1, 2, 3])
        let rest = edge.pop(maxBytes: 1000)!
        #expect(sequenceNumbers(rest) == Array(4..<10))
        #expect(edge.pop(maxBytes: 1000) == nil)
    }

    @Test func flowGateCountsHolds() {
        let state = Counter()
        let gate = FlowGate(onPause: { state.add(1) }, onResume: { state.add(-1) })
        gate.hold()
        gate.hold()
        #expect(state.value == 1)
        gate.release()
        #expect(state.value == 1 && gate.isHeld)
        gate.release()
        #expect(state.value == 0 && !gate.isHeld)
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func add(_ d: Int) { lock.withLock { n += d } }
    var value: Int { lock.withLock { n } }
}
