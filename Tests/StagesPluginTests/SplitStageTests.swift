import Junction
import StagesPlugin
import Testing

@Suite struct SplitStageTests {
    @Test func lines() throws {
        let s = try SplitStage(config: decode(SplitConfig.self, "format: lines"), context: context)
        let out = run(s, ["a\nb\r\n\nc", "single", ""], metadata: ["source": "x", "batch_count": "3"])
        #expect(out.texts == ["a", "b", "c", "single"])
        #expect(out.messages.allSatisfy { $0.metadata == ["source": "x"] })
    }

    @Test func jsonArray() throws {
        let s = try SplitStage(config: decode(SplitConfig.self, "format: json_array"), context: context)
        let out = run(s, [#"[{"a":1}, 2, "three", [4]]"#, "[]", "[1,", #"{"a":1}"#])
        #expect(out.texts == [#"{"a":1}"#, "2", #""three""#, "[4]"])
        #expect(out.rejected.count == 2)
        #expect(out.reasons[1] == "expected a JSON array")
    }

    @Test func batchThenSplitRoundTrips() throws {
        let batch = BatchStage(config: try decode(BatchConfig.self, "{count: 3, format: json_array}"), context: context)
        let split = try SplitStage(config: decode(SplitConfig.self, "format: json_array"), context: context)
        let inputs = [#"{"i":1}"#, #"{"s":"x,y"}"#, "[1,2]"]
        let batched = run(batch, inputs)
        var out = StageOutput()
        for m in batched.messages { split.process(m, into: &out) }
        #expect(out.texts == inputs)
    }
}
