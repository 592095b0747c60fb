import Junction
import StagesPlugin
import Testing

@Suite struct RateLimitStageTests {
    func limiter(_ yaml: String, _ clock: ManualClock) throws -> RateLimitStage {
        RateLimitStage(config: try decode(RateLimitConfig.self, yaml), context: context, clock: clock.source)
    }

    @Test func delaysInsteadOfDropping() throws {
        let clock = ManualClock()
        let t0 = clock.now
        let s = try limiter("{count: 2, interval: 1s}", clock)
        var out = run(s, ["a", "b", "c", "d"])
        #expect(out.texts == ["a", "b"])
        #expect(s.isHolding && s.heldCount == 2)
        // One token every 500 ms.
        #expect(s.nextDeadline == t0 + second / 2)
        s.flush(now: t0 + second / 2 - 1, into: &out)
        #expect(out.texts == ["a", "b"])
        s.flush(now: t0 + second / 2, into: &out)
        #expect(out.texts == ["a", "b", "c"])
        #expect(s.nextDeadline == t0 + second)
        s.flush(now: t0 + second, into: &out)
        #expect(out.texts == ["a", "b", "c", "d"])
        #expect(!s.isHolding && s.nextDeadline == nil)
    }

    @Test func burstCapsSavedTokens() throws {
        let clock = ManualClock()
        let s = try limiter("{count: 10, interval: 1s, burst: 3}", clock)
        clock.now += 60 * second  // a long quiet spell saves at most `burst`
        let out = run(s, ["1", "2", "3", "4", "5"])
        #expect(out.texts == ["1", "2", "3"])
        #expect(s.heldCount == 2)
        #expect(s.nextDeadline == clock.now + second / 10)
    }

    @Test func heldMessagesKeepOrderAndGoFirst() throws {
        let clock = ManualClock()
        let s = try limiter("{count: 1, interval: 100ms}", clock)
        var out = run(s, ["a", "b"])
        #expect(out.texts == ["a"])
        clock.now += second / 10
        // A token is due: the held "b" goes before the new "c", which waits.
        s.process(Message(text: "c"), into: &out)
        #expect(out.texts == ["a", "b"])
        #expect(s.heldCount == 1)
        s.finish(into: &out)
        #expect(out.texts == ["a", "b", "c"])
        #expect(!s.isHolding)
    }

    @Test func configMistakes() {
        #expect(decodeError(RateLimitConfig.self, "count: 0")?.message == "'count' must be at least 1")
        #expect(decodeError(RateLimitConfig.self, "interval: 0s")?.message == "'interval' must be above 0")
        #expect(decodeError(RateLimitConfig.self, "burst: 0")?.message == "'burst' must be at least 1")
    }
}
