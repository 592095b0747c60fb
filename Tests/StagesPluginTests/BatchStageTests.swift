import Foundation
import Junction
import StagesPlugin
import Testing

@Suite struct BatchStageTests {
    func batcher(_ yaml: String, _ clock: ManualClock = ManualClock()) throws -> BatchStage {
        BatchStage(config: try decode(BatchConfig.self, yaml), context: context, clock: clock.source)
    }

    @Test func byCountAsLines() throws {
        let s = try batcher("{count: 3}")
        var out = StageOutput()
        for (i, p) in ["a", "b", "c", "d"].enumerated() {
            s.process(Message(text: p, metadata: ["n": "\(i)"]), into: &out)
        }
        #expect(out.texts == ["a\nb\nc"])
        #expect(out.messages[0].metadata == ["n": "0", "batch_count": "3"])
        #expect(s.heldCount == 1)
        s.finish(into: &out)
        #expect(out.texts == ["a\nb\nc", "d"])
        #expect(out.messages[1].metadata["batch_count"] == "1")
    }

    @Test func theBatchHoldsTheReceiptsOfItsPartsUntilItGoes() throws {
        let s = try batcher("{count: 2}")
        let settled = Settled()
        var out = StageOutput()
        for p in ["a", "b"] {
            var m = Message(text: p)
            m.receipt = Receipt { outcome in settled.add(p, outcome) }
            s.process(m, into: &out)
        }
        #expect(out.messages.count == 1)
        #expect(settled.names.isEmpty, "the inputs went, but the batch still stands for them")
        out.messages[0].receipt?.fail("sink down")
        out = StageOutput()
        #expect(settled.names.sorted() == ["a", "b"])
        #expect(settled.outcomes.allSatisfy { $0 == .failed("sink down") })
    }

    @Test func byBytesAsJSONArray() throws {
        // "[" + 3 × `{"i":N}` (7 bytes) + 2 commas + "]" = 25 bytes.
        let s = try batcher("{count: 100, bytes: 25, format: json_array}")
        let out = run(s, (1...7).map { #"{"i":\#($0)}"# })
        #expect(out.texts == [#"[{"i":1},{"i":2},{"i":3}]"#, #"[{"i":4},{"i":5},{"i":6}]"#])
        #expect(out.messages.allSatisfy { $0.kind == .text && $0.metadata["batch_count"] == "3" })
        #expect(s.heldCount == 1)
    }

    @Test func aMessageThatWouldOverflowStartsTheNextBatch() throws {
        let s = try batcher("{count: 100, bytes: 10}")
        let out = run(s, ["aaaa", "bbbb", "cccc", "0123456789abc"])
        // "aaaa\nbbbb" is 9 bytes; adding "\ncccc" would make 14.
        #expect(out.texts == ["aaaa\nbbbb", "cccc", "0123456789abc"])
        #expect(s.heldCount == 0)
    }

    @Test func byPeriod() throws {
        let clock = ManualClock()
        let s = try batcher("{count: 100, period: 2s}", clock)
        #expect(s.nextDeadline == nil)
        var out = run(s, ["a"])
        let deadline = clock.now + 2 * second
        #expect(s.nextDeadline == deadline)
        clock.now += second
        s.process(Message(text: "b"), into: &out)
        #expect(s.nextDeadline == deadline)  // from the first message
        s.flush(now: deadline - 1, into: &out)
        #expect(out.messages.isEmpty)
        s.flush(now: deadline, into: &out)
        #expect(out.texts == ["a\nb"])
        #expect(s.nextDeadline == nil)
        s.finish(into: &out)
        #expect(out.messages.count == 1)
    }

    @Test func aBatchBeingFilledDoesNotPinTheChunksOfItsInputs() throws {
        let s = try batcher("{count: 3}")
        var out = StageOutput()
        weak var weakChunk: ByteChunk?
        do {
            let chunk = ByteChunk(capacity: 64 << 10)
            Array("first\nsecond\n".utf8).withUnsafeBytes { chunk.bytes.copyMemory(from: $0) }
            weakChunk = chunk
            s.process(Message(chunk: chunk, offset: 0, count: 5, kind: .text, metadata: ["n": "0"], timestamp: 7), into: &out)
            s.process(Message(chunk: chunk, offset: 6, count: 6, kind: .binary, timestamp: 8), into: &out)
        }
        #expect(s.heldCount == 2)
        #expect(weakChunk == nil, "the held inputs still pin their 64 KiB chunk")
        s.finish(into: &out)
        #expect(out.texts == ["first\nsecond"])
        #expect(out.messages[0].kind == .binary && out.messages[0].timestamp == 7)
        #expect(out.messages[0].metadata == ["n": "0", "batch_count": "2"])
    }

    @Test func configMistakes() {
        #expect(decodeError(BatchConfig.self, "count: 0")?.message == "'count' must be at least 1")
        #expect(decodeError(BatchConfig.self, "format: jsonarray")?.hint?.contains("json_array") == true)
        #expect(decodeError(BatchConfig.self, "bytes: lots")?.message == "invalid byte size 'lots'")
    }
}

/// Receipt outcomes by message name.
final class Settled: @unchecked Sendable {
    private let lock = NSLock()
    private var all: [(String, Receipt.Outcome)] = []
    func add(_ name: String, _ outcome: Receipt.Outcome) { lock.withLock { all.append((name, outcome)) } }
    var names: [String] { lock.withLock { all.map(\.0) } }
    var outcomes: [Receipt.Outcome] { lock.withLock { all.map(\.1) } }
}
