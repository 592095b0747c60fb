import JunctionStore
import Testing

@Suite("Outbox dead letters")
struct OutboxDeadLetterTests {
    /// Five dead letters: targets a, b, a, b, a failing at 10, 20, 30, 40, 50.
    static func buried(_ outbox: Outbox) throws -> [Int64] {
        let targets = ["a", "b", "a", "b", "a"]
        let ids = try outbox.append(
            targets.enumerated().map { entry($0.element, "m\($0.offset)", createdAt: Int64($0.offset)) },
            now: 0
        )
        try outbox.settle(ids.enumerated().map { .dead(id: $0.element, attempts: 3, error: "e\($0.offset)", at: Int64($0.offset + 1) * 10) })
        return ids
    }

    @Test("listing filters by target and failure time, oldest failure first, up to the limit")
    func listAndFilter() throws {
        let dir = try TemporaryDirectory()
        let outbox = try Outbox(path: dir.file())
        _ = try Self.buried(outbox)
        #expect(try outbox.deadLetters(target: nil, since: nil, limit: 10).map(\.messageID) == ["m0", "m1", "m2", "m3", "m4"])
        #expect(try outbox.deadLetters(target: "a", since: nil, limit: 10).map(\.messageID) == ["m0", "m2", "m4"])
        #expect(try outbox.deadLetters(target: nil, since: 30, limit: 10).map(\.messageID) == ["m2", "m3", "m4"])
        #expect(try outbox.deadLetters(target: "b", since: 25, limit: 10).map(\.messageID) == ["m3"])
        #expect(try outbox.deadLetters(target: nil, since: nil, limit: 2).map(\.messageID) == ["m0", "m1"])
        #expect(try outbox.deadLetters(target: "zzz", since: nil, limit: 10).isEmpty)
        #expect(try outbox.deadLetterCount(target: nil) == 5)
        #expect(try outbox.deadLetterCount(target: "a") == 3)
        #expect(try outbox.deadLetterCount(target: "b") == 2)
        #expect(try outbox.pendingCount(target: nil) == 0)
    }

    @Test("replay puts dead letters back as new rows with the same message, and empties them")
    func replayKeepsMessage() throws {
        let dir = try TemporaryDirectory()
        let outbox = try Outbox(path: dir.file())
        let oldIDs = try Self.buried(outbox)
        let letters = try outbox.deadLetters(target: "a", since: nil, limit: 10)

        #expect(try outbox.replay(target: "a", since: nil, now: 777) == 3)
        let records = try outbox.pending(target: "a", after: 0, limit: 10)
        #expect(records.map(\.messageID) == ["m0", "m2", "m4"])
        #expect(records.allSatisfy { $0.id > oldIDs.max()! })
        #expect(records.allSatisfy { $0.attempts == 0 && $0.nextAttemptAt == 777 && $0.lastError == nil })
        #expect(records.map(\.payload) == letters.map(\.payload))
        #expect(records.map(\.meta) == letters.map(\.meta))
        #expect(records.map(\.createdAt) == [0, 2, 4])

        #expect(try outbox.deadLetterCount(target: "a") == 0)
        #expect(try outbox.deadLetterCount(target: "b") == 2)
        #expect(try outbox.replay(target: "a", since: nil, now: 0) == 0)
    }

    @Test("newest takes the latest failures, still listed oldest first")
    func newest() throws {
        let dir = try TemporaryDirectory()
        let outbox = try Outbox(path: dir.file())
        _ = try Self.buried(outbox)
        #expect(try outbox.deadLetters(target: nil, since: nil, limit: 2, newest: true).map(\.failedAt) == [40, 50])
        #expect(try outbox.deadLetters(target: "a", since: nil, limit: 2, newest: true).map(\.failedAt) == [30, 50])
        #expect(try outbox.deadLetters(target: nil, since: nil, limit: 2).map(\.failedAt) == [10, 20])
    }

    @Test("every replay that puts rows back moves the replay generation, seen from another connection")
    func replayGeneration() throws {
        let dir = try TemporaryDirectory()
        let outbox = try Outbox(path: dir.file())
        _ = try Self.buried(outbox)
        #expect(try outbox.replayGeneration() == 0)
        let cli = try Outbox(path: dir.file())
        #expect(try cli.replay(target: "a", since: nil, now: 0) == 3)
        #expect(try outbox.replayGeneration() == 1)
        #expect(try cli.replay(target: "a", since: nil, now: 0) == 0)
        #expect(try outbox.replayGeneration() == 1, "a replay that found nothing changes nothing")
        #expect(try cli.replay(target: nil, since: nil, now: 0) == 2)
        #expect(try outbox.replayGeneration() == 2)
    }

    @Test("replay with since only takes letters that failed at or after it")
    func replaySince() throws {
        let dir = try TemporaryDirectory()
        let outbox = try Outbox(path: dir.file())
        _ = try Self.buried(outbox)
        #expect(try outbox.replay(target: nil, since: 40, now: 1) == 2)
        #expect(try outbox.pendingCount(target: nil) == 2)
        #expect(try outbox.deadLetters(target: nil, since: nil, limit: 10).map(\.messageID) == ["m0", "m1", "m2"])
        #expect(try outbox.replay(target: nil, since: nil, now: 1) == 3)
        #expect(try outbox.deadLetterCount(target: nil) == 0)
        #expect(try outbox.pendingCount(target: nil) == 5)
    }
}
