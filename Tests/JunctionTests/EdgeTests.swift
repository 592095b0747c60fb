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

    /// What one 10-byte test message counts for.
    let c = 10 + Message.accountingOverhead

    @Test func blockHoldsUpstreamUntilBufferedAmountLow() {
        let edge = Edge(name: "e", policy: .block, highWater: 10 * c, lowThreshold: 4 * c, producers: 1)
        let paused = Counter()
        let gate = FlowGate(onPause: { paused.add(1) }, onResume: { paused.add(-1) })
        edge.addUpstream(gate)

        edge.push(batch(0..<10))  // 10 messages: not above the mark
        #expect(!edge.isFull)
        #expect(paused.value == 0)
        edge.push(batch(10..<11))  // 11 > 10: full
        #expect(edge.isFull)
        #expect(paused.value == 1)
        #expect(edge.bufferedAmount == 11 * c)

        let taken = edge.pop(maxBytes: 6 * c)!
        #expect(taken.count == 10)  // a whole pushed batch
        #expect(edge.bufferedAmount == 11 * c)  // in flight still counts
        edge.complete(accounted: taken.accountedSize)  // 1 left ≤ 4
        #expect(!edge.isFull)
        #expect(paused.value == 0)
        #expect(edge.lowEvents == 1)
        #expect(edge.droppedMessages == 0)
    }

    @Test func dropOldestKeepsTheNewest() {
        let edge = Edge(name: "e", policy: .dropOldest, highWater: 5 * c, lowThreshold: 2 * c, producers: 1)
        for i in 0..<10 { edge.push(batch(i * 10..<(i * 10 + 10))) }
        var kept: [Message] = []
        while let b = edge.pop(maxBytes: 1000 * c) {
            kept += b
            edge.complete(accounted: b.accountedSize)
        }
        #expect(sequenceNumbers(kept) == Array(95..<100))
        #expect(edge.droppedMessages == 95)
        #expect(edge.droppedBytes == 95 * c)
        #expect(edge.peakBufferedAmount <= 5 * c)
        #expect(edge.bufferedAmount == 0)
    }

    @Test func dropNewestKeepsTheOldest() {
        let edge = Edge(name: "e", policy: .dropNewest, highWater: 5 * c, lowThreshold: 2 * c, producers: 1)
        for i in 0..<10 { edge.push(batch(i * 10..<(i * 10 + 10))) }
        var kept: [Message] = []
        while let b = edge.pop(maxBytes: 1000 * c) { kept += b }
        #expect(sequenceNumbers(kept) == Array(0..<5))
        #expect(edge.droppedMessages == 95)
    }

    @Test func popMergesSmallBatchesUpToTheLimit() {
        let edge = Edge(name: "e", policy: .block, highWater: 10_000 * c, lowThreshold: 0, producers: 1)
        for i in 0..<10 { edge.push(batch(i..<(i + 1))) }
        let first = edge.pop(maxBytes: 4 * c + c / 2)!
        #expect(sequenceNumbers(first) == [0, 1, 2, 3])
        let rest = edge.pop(maxBytes: 1000 * c)!
        #expect(sequenceNumbers(rest) == Array(4..<10))
        #expect(edge.pop(maxBytes: 1000 * c) == nil)
    }

    @Test func emptyMessagesStillFillTheEdge() {
        let edge = Edge(name: "e", policy: .block, highWater: 1000, lowThreshold: 0, producers: 1)
        let empty = [Message](repeating: Message(payload: []), count: 100)
        #expect(empty[0].accountedSize == 1 + Message.accountingOverhead)
        edge.push(empty)
        #expect(edge.isFull)
        #expect(edge.bufferedAmount == 100 * (1 + Message.accountingOverhead))
        let taken = edge.pop(maxBytes: .max)!
        edge.complete(accounted: taken.accountedSize)
        #expect(edge.bufferedAmount == 0 && !edge.isFull)

        let dropping = Edge(name: "d", policy: .dropNewest, highWater: 1000, lowThreshold: 0, producers: 1)
        dropping.push(empty)
        #expect(dropping.droppedMessages == 100 - 1000 / (1 + Message.accountingOverhead))
    }

    @Test func accountingStaysSymmetricUnderEveryPolicy() {
        for policy in [WhenFull.block, .dropOldest, .dropNewest] {
            let edge = Edge(name: "e", policy: policy, highWater: 4096, lowThreshold: 1024, producers: 1)
            var rng = SystemRandomNumberGenerator()
            var inFlight: [[Message]] = []
            for round in 0..<2000 {
                let n = Int.random(in: 1...8, using: &rng)
                edge.push((0..<n).map { _ in Message(payload: [UInt8](repeating: 7, count: Int.random(in: 0...300, using: &rng))) })
                if round % 3 == 0, let b = edge.pop(maxBytes: Int.random(in: 1...2048, using: &rng)) { inFlight.append(b) }
                if round % 5 == 0, !inFlight.isEmpty { edge.complete(accounted: inFlight.removeFirst().accountedSize) }
            }
            for b in inFlight { edge.complete(accounted: b.accountedSize) }
            while let b = edge.pop(maxBytes: .max) { edge.complete(accounted: b.accountedSize) }
            #expect(edge.bufferedAmount == 0, "\(policy)")
            #expect(edge.isEmpty, "\(policy)")
            #expect(!edge.isFull, "\(policy)")
        }
    }

    @Test func steadyBackpressureKeepsTheQueueStorageBounded() {
        // The queue never runs empty: one batch waits while another is taken.
        let edge = Edge(name: "e", policy: .block, highWater: 1 << 20, lowThreshold: 0, producers: 1)
        edge.push(batch(0..<1))
        for i in 1...20_000 {
            edge.push(batch(i..<(i + 1)))
            let b = edge.pop(maxBytes: c)!
            #expect(b.count == 1)
            edge.complete(accounted: b.accountedSize)
        }
        #expect(edge.storageSlots <= 2048, "the queue kept \(edge.storageSlots) slots for 1 batch")
        #expect(sequenceNumbers(edge.pop(maxBytes: c)!) == [20_000])
    }

    @Test func messagesUsingLittleOfAChunkDoNotPinItInAQueue() {
        weak var weakChunk: ByteChunk?
        let edge = Edge(name: "e", policy: .block, highWater: 1 << 20, lowThreshold: 0, producers: 1)
        do {
            let chunk = ByteChunk(capacity: 64 << 10)
            memset(chunk.bytes.baseAddress!, 0x61, chunk.capacity)
            weakChunk = chunk
            // Three 10-byte survivors of a 64 KiB read.
            edge.push((0..<3).map { i in Message(chunk: chunk, offset: i * 1000, count: 10, kind: .text, timestamp: 1) })
        }
        #expect(weakChunk == nil, "the queued slices still pin the 64 KiB chunk")
        let taken = edge.pop(maxBytes: .max)!
        #expect(taken.map(\.text) == Array(repeating: String(repeating: "a", count: 10), count: 3))
        #expect(taken.allSatisfy { !$0.isChunkBacked })
        #expect(taken.accountedSize == 3 * c)
    }

    @Test func aBatchCoveringItsChunkKeepsSharingIt() {
        let chunk = ByteChunk(capacity: 110)
        memset(chunk.bytes.baseAddress!, 0x0A, chunk.capacity)
        // Ten 10-byte lines, each followed by its newline.
        let lines = (0..<10).map { i in Message(chunk: chunk, offset: i * 11, count: 10, kind: .text, timestamp: 1) }
        let edge = Edge(name: "e", policy: .block, highWater: 1 << 20, lowThreshold: 0, producers: 1)
        edge.push(lines)
        let taken = edge.pop(maxBytes: .max)!
        #expect(taken.allSatisfy { $0.isChunkBacked })
    }

    @Test func flowGateDeliversRacingTransitionsInOrder() {
        // A pause is being delivered (slowly) when the release that ends it comes in on
        // another thread: the resume must come after the pause, not overtake it.
        let events = LockedEvents()
        let pauseEntered = DispatchSemaphore(value: 0)
        let finishPause = DispatchSemaphore(value: 0)
        let gate = FlowGate(
            onPause: {
                pauseEntered.signal()
                finishPause.wait()
                events.append("paused")
            },
            onResume: { events.append("resumed") }
        )
        let holder = Thread { gate.hold() }
        holder.start()
        pauseEntered.wait()
        gate.release()  // the edge drained meanwhile
        finishPause.signal()
        let deadline = Date().addingTimeInterval(5)
        while events.value.count < 2, Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
        #expect(events.value == ["paused", "resumed"])
        #expect(!gate.isHeld)
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

final class LockedEvents: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [String] = []
    func append(_ e: String) { lock.withLock { events.append(e) } }
    var value: [String] { lock.withLock { events } }
}
