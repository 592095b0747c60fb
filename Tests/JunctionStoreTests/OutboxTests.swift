import Dispatch
import Synchronization
import JunctionStore
import Testing

@Suite("Outbox")
struct OutboxTests {
    @Test("append returns increasing ids in order; pending lists one target's rows in id order")
    func appendAndPending() throws {
        let dir = try TemporaryDirectory()
        let outbox = try Outbox(path: dir.file())
        let ids = try outbox.append([entry("a", "m1"), entry("b", "m2"), entry("a", "m3", createdAt: 7)], now: 500)
        #expect(ids.count == 3)
        #expect(ids == ids.sorted() && Set(ids).count == 3)

        let a = try outbox.pending(target: "a", after: 0, limit: 10)
        #expect(a.map(\.id) == [ids[0], ids[2]])
        #expect(a.map(\.messageID) == ["m1", "m3"])
        #expect(a[1] == Outbox.Record(
            id: ids[2], target: "a", messageID: "m3", payload: Array("payload of m3".utf8), meta: [9, 9],
            createdAt: 7, attempts: 0, nextAttemptAt: 500, lastError: nil
        ))
        #expect(try outbox.pending(target: "a", after: ids[0], limit: 10).map(\.id) == [ids[2]])
        #expect(try outbox.pending(target: "a", after: 0, limit: 1).map(\.id) == [ids[0]])
        #expect(try outbox.pending(target: "a", after: 0, limit: 0).isEmpty)
        #expect(try outbox.pending(target: "c", after: 0, limit: 10).isEmpty)
        #expect(try outbox.pendingCount(target: "a") == 2)
        #expect(try outbox.pendingCount(target: nil) == 3)
        #expect(try outbox.maxID() == ids[2])

        let more = try outbox.append([entry("a", "m4")], now: 600)
        #expect(more[0] > ids[2])
        #expect(try outbox.append([], now: 0).isEmpty)
    }

    @Test("empty payload and meta come back empty, binary bytes and unicode intact")
    func emptyAndBinaryValues() throws {
        let dir = try TemporaryDirectory()
        let outbox = try Outbox(path: dir.file())
        let binary: [UInt8] = [0, 255, 0, 1, 0x80]
        _ = try outbox.append([
            Outbox.Entry(target: "t", messageID: "", payload: [], meta: [], createdAt: 0),
            Outbox.Entry(target: "t", messageID: "é\u{0}✓", payload: binary, meta: binary, createdAt: -1),
        ], now: 1)
        let records = try outbox.pending(target: "t", after: 0, limit: 10)
        #expect(records.count == 2)
        #expect(records[0].payload == [] && records[0].meta == [] && records[0].messageID == "")
        #expect(records[1].payload == binary && records[1].meta == binary)
        #expect(records[1].messageID == "é\u{0}✓")
        #expect(records[1].createdAt == -1)
    }

    @Test("maxID is 0 when empty")
    func maxIDEmpty() throws {
        let dir = try TemporaryDirectory()
        let outbox = try Outbox(path: dir.file())
        #expect(try outbox.maxID() == 0)
    }

    @Test("settle: delivered deletes, retry updates, dead moves to dead letters")
    func settleEachOutcome() throws {
        let dir = try TemporaryDirectory()
        let outbox = try Outbox(path: dir.file())
        let ids = try outbox.append([entry("t", "d"), entry("t", "r"), entry("t", "x", createdAt: 42)], now: 100)
        try outbox.settle([
            .delivered(id: ids[0]),
            .retry(id: ids[1], attempts: 2, nextAttemptAt: 5_000, error: "HTTP 503"),
            .dead(id: ids[2], attempts: 8, error: "HTTP 410", at: 9_000),
        ])
        let left = try outbox.pending(target: "t", after: 0, limit: 10)
        #expect(left.map(\.id) == [ids[1]])
        #expect(left[0].attempts == 2)
        #expect(left[0].nextAttemptAt == 5_000)
        #expect(left[0].lastError == "HTTP 503")
        #expect(left[0].messageID == "r")

        let dead = try outbox.deadLetters(target: nil, since: nil, limit: 10)
        #expect(dead.count == 1)
        #expect(dead[0].messageID == "x")
        #expect(dead[0].target == "t")
        #expect(dead[0].payload == Array("payload of x".utf8))
        #expect(dead[0].meta == [9, 9])
        #expect(dead[0].createdAt == 42)
        #expect(dead[0].attempts == 8)
        #expect(dead[0].failedAt == 9_000)
        #expect(dead[0].lastError == "HTTP 410")
        #expect(try outbox.pendingCount(target: nil) == 1)
        #expect(try outbox.deadLetterCount(target: nil) == 1)
    }

    @Test("settle skips ids no longer in the outbox (a repeated outcome changes nothing)")
    func settleUnknownIDs() throws {
        let dir = try TemporaryDirectory()
        let outbox = try Outbox(path: dir.file())
        let ids = try outbox.append([entry("t", "a")], now: 0)
        try outbox.settle([.dead(id: ids[0], attempts: 1, error: "e", at: 1)])
        try outbox.settle([
            .dead(id: ids[0], attempts: 1, error: "e", at: 1),
            .delivered(id: 999),
            .retry(id: 998, attempts: 1, nextAttemptAt: 1, error: "e"),
        ])
        #expect(try outbox.deadLetterCount(target: nil) == 1)
        #expect(try outbox.pendingCount(target: nil) == 0)
    }

    @Test("concurrent appends from several threads all land, with distinct ids")
    func concurrentAppends() throws {
        let dir = try TemporaryDirectory()
        let outbox = try Outbox(path: dir.file())
        let threads = 6
        let batches = 40
        let failures = Mutex(0)
        let collected = Mutex<[Int64]>([])
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            var mine: [Int64] = []
            for batch in 0..<batches {
                do {
                    let entries = (0..<3).map { entry("t\(thread % 2)", "\(thread)-\(batch)-\($0)") }
                    let ids = try outbox.append(entries, now: Int64(batch))
                    #expect(ids == ids.sorted())
                    mine += ids
                    if batch % 10 == 0 { _ = try outbox.pending(target: "t0", after: 0, limit: 5) }
                } catch {
                    failures.withLock { $0 += 1 }
                }
            }
            collected.withLock { $0 += mine }
        }
        #expect(failures.withLock { $0 } == 0)
        let ids = collected.withLock { $0 }
        #expect(ids.count == threads * batches * 3)
        #expect(Set(ids).count == ids.count)
        #expect(try outbox.pendingCount(target: nil) == threads * batches * 3)
        let t0 = try outbox.pending(target: "t0", after: 0, limit: 10_000)
        #expect(t0.count == threads / 2 * batches * 3)
        #expect(t0.map(\.id) == t0.map(\.id).sorted())
    }

    @Test("close is idempotent; later calls throw SQLITE_MISUSE naming the path")
    func closeTwice() throws {
        let dir = try TemporaryDirectory()
        let outbox = try Outbox(path: dir.file())
        outbox.close()
        outbox.close()
        let error = #expect(throws: StoreError.self) { try outbox.append([entry("t", "m")], now: 0) }
        #expect(error?.code == 21)
        #expect(error?.description.contains(dir.file()) == true)
    }
}
