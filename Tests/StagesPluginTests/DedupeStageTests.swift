import Junction
import StagesPlugin
import Testing

@Suite struct DedupeStageTests {
    @Test func windowOnWholePayload() throws {
        let clock = ManualClock()
        let s = try DedupeStage(config: decode(DedupeConfig.self, "window: 10s"), context: context, clock: clock.source)
        var out = run(s, ["a", "b", "a"])
        #expect(out.texts == ["a", "b"])
        clock.now += 5 * second
        s.process(Message(text: "a"), into: &out)  // still within a's window (which does not extend)
        #expect(out.texts == ["a", "b"])
        clock.now += 5 * second
        s.process(Message(text: "a"), into: &out)  // 10 s after a passed
        #expect(out.texts == ["a", "b", "a"])
        #expect(s.keyCount == 1)  // b expired too
    }

    @Test func maxKeysEvictsOldest() throws {
        let s = try DedupeStage(config: decode(DedupeConfig.self, "{window: 0, max_keys: 2}"), context: context, clock: ManualClock().source)
        let out = run(s, ["a", "b", "c", "b", "a", "c"])
        // After c, a is forgotten; a's return evicts b... c is still remembered.
        #expect(out.texts == ["a", "b", "c", "a"])
        #expect(s.keyCount == 2)
    }

    @Test func keyField() throws {
        let s = try DedupeStage(config: decode(DedupeConfig.self, "key: ev.id"), context: context, clock: ManualClock().source)
        let out = run(s, [
            #"{"ev":{"id":1},"x":1}"#,
            #"{"ev":{"id":1.0},"x":2}"#,
            #"{"ev":{"id":"1"}}"#,
            #"{"other":true}"#,
            #"{"other":true}"#,
            "garbage",
        ])
        #expect(out.texts == [#"{"ev":{"id":1},"x":1}"#, #"{"ev":{"id":"1"}}"#, #"{"other":true}"#, #"{"other":true}"#])
        #expect(out.reasons == ["invalid JSON"])
    }

    @Test func configMistakes() {
        #expect(decodeError(DedupeConfig.self, "max_keys: 0")?.message == "'max_keys' must be at least 1")
        #expect(decodeError(DedupeConfig.self, "key: 'a.'")?.message == "invalid field path 'a.'")
    }
}
