import Foundation
import JunctionStore
import Testing

/// Kept open for the life of the test process, never closed: what a crashed
/// writer leaves behind.
nonisolated(unsafe) var abandonedOutboxes: [Outbox] = []

@Suite("Outbox durability and sharing")
struct OutboxDurabilityTests {
    @Test("rows survive closing and reopening; ids keep growing after the table emptied")
    func reopen() throws {
        let dir = try TemporaryDirectory()
        var ids: [Int64] = []
        do {
            let outbox = try Outbox(path: dir.file(), synchronous: .full)
            ids = try outbox.append([entry("t", "m1"), entry("t", "m2"), entry("t", "m3")], now: 5)
            try outbox.settle([
                .delivered(id: ids[0]),
                .retry(id: ids[1], attempts: 1, nextAttemptAt: 50, error: "boom"),
                .dead(id: ids[2], attempts: 4, error: "gone", at: 60),
            ])
            outbox.close()
        }
        let reopened = try Outbox(path: dir.file())
        let records = try reopened.pending(target: "t", after: 0, limit: 10)
        #expect(records.map(\.messageID) == ["m2"])
        #expect(records.first?.lastError == "boom")
        #expect(try reopened.deadLetters(target: nil, since: nil, limit: 10).map(\.messageID) == ["m3"])

        try reopened.settle([.delivered(id: ids[1])])
        #expect(try reopened.maxID() == 0)
        reopened.close()
        let again = try Outbox(path: dir.file())
        let next = try again.append([entry("t", "m4")], now: 0)
        #expect(next[0] > ids[2])
    }

    @Test("a committed append is visible to another connection while the writer stays open")
    func walVisibilityWithoutClose() throws {
        let dir = try TemporaryDirectory()
        let writer = try Outbox(path: dir.file())
        abandonedOutboxes.append(writer)
        let ids = try writer.append([entry("t", "m1"), entry("t", "m2")], now: 1)
        #expect(FileManager.default.fileExists(atPath: dir.file() + "-wal"))

        let reader = try Outbox(path: dir.file())
        #expect(try reader.pending(target: "t", after: 0, limit: 10).map(\.id) == ids)
        reader.close()
    }

    @Test("a second outbox on the file (a CLI) replays while the first is open; the first sees the new rows")
    func replayFromSecondConnection() throws {
        let dir = try TemporaryDirectory()
        let service = try Outbox(path: dir.file())
        let ids = try service.append([entry("t", "m1"), entry("t", "m2")], now: 1)
        try service.settle([.dead(id: ids[0], attempts: 5, error: "e", at: 2), .delivered(id: ids[1])])
        var known = ids.max()!
        #expect(try service.pending(target: "t", after: known, limit: 10).isEmpty)

        let cli = try Outbox(path: dir.file())
        #expect(try cli.deadLetterCount(target: "t") == 1)
        #expect(try cli.replay(target: "t", since: nil, now: 3) == 1)
        cli.close()

        let fresh = try service.pending(target: "t", after: known, limit: 10)
        #expect(fresh.map(\.messageID) == ["m1"])
        #expect(fresh[0].id > known)
        known = try service.maxID()
        #expect(known == fresh[0].id)
        #expect(try service.deadLetterCount(target: nil) == 0)
    }

    @Test("a writer in another connection is waited for, not reported busy")
    func busyTimeoutWaits() throws {
        let dir = try TemporaryDirectory()
        let first = try Outbox(path: dir.file())
        let second = try Outbox(path: dir.file())
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            let outbox = index == 0 ? first : second
            for batch in 0..<50 {
                #expect(throws: Never.self) { _ = try outbox.append([entry("t", "\(index)-\(batch)")], now: 0) }
            }
        }
        #expect(try first.pendingCount(target: nil) == 100)
    }

    @Test("an unopenable path throws a StoreError naming it")
    func unopenablePath() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("missing/outbox.db")
        let error = #expect(throws: StoreError.self) { try Outbox(path: path) }
        #expect(error?.primaryCode == 14) // SQLITE_CANTOPEN
        #expect(error?.description.contains(path) == true)
    }

    @Test("a file that is not a database throws a StoreError naming it")
    func corruptFile() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("garbage.db")
        try Data(repeating: 0x5A, count: 4096).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: StoreError.self) { try Outbox(path: path) }
        #expect(error?.primaryCode == 26) // SQLITE_NOTADB
        #expect(error?.description.contains(path) == true)
    }

    @Test("a file written by a newer schema is refused")
    func newerSchema() throws {
        let dir = try TemporaryDirectory()
        do {
            let db = try SQLiteDatabase(path: dir.file())
            try db.setUserVersion(99)
        }
        let error = #expect(throws: StoreError.self) { try Outbox(path: dir.file()) }
        #expect(error?.message.contains("99") == true)
    }
}
