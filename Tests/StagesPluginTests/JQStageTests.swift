import Junction
import StagesPlugin
import Testing

@Suite struct JQStageTests {
    func stage(_ expr: String) throws -> JQStage {
        var c = JQConfig()
        c.expr = expr
        return try JQStage(config: c, context: context)
    }

    @Test func zeroOneOrManyOutputsKeepMetadata() throws {
        let out = run(try stage(".items[] | {id}"), [#"{"items":[{"id":1,"x":0},{"id":2}]}"#, #"{"items":[]}"#], metadata: ["source": "s"])
        #expect(out.texts == [#"{"id":1}"#, #"{"id":2}"#])
        #expect(out.messages.allSatisfy { $0.metadata == ["source": "s"] && $0.kind == .text })
        #expect(out.rejected.isEmpty)
    }

    @Test func benchmarkProgram() throws {
        let s = try stage("select(.seq % 2 == 0) | {portalid, payload}")
        let out = run(s, [
            #"{"seq":1,"level":"info","portalid":"p17","payload":"a"}"#,
            #"{"seq":2,"level":"info","portalid":"p17","payload":"b"}"#,
        ])
        #expect(out.texts == [#"{"portalid":"p17","payload":"b"}"#])
    }

    @Test func invalidJSONAndRuntimeErrorsAreRejected() throws {
        let s = try stage(#".a | if . == "bad" then error("bad value") else . end"#)
        let out = run(s, ["{oops", #"{"a":"bad"}"#, #"{"a":1}"#])
        #expect(out.texts == ["1"])
        #expect(out.rejected.map(\.message.text) == ["{oops", #"{"a":"bad"}"#])
        #expect(out.reasons[0].hasPrefix("invalid JSON: "))
        #expect(out.reasons[1] == "jq error: bad value")
    }

    @Test func partialOutputsAreDiscardedWithTheError() throws {
        let out = run(try stage(#".[] | if . == 2 then error("two") else . end"#), ["[1,2,3]"])
        #expect(out.messages.isEmpty)
        #expect(out.reasons == ["jq error: two"])
    }

    @Test func compileErrorThrowsDiagnostic() throws {
        do {
            _ = try stage("{ unclosed")
            Issue.record("expected a compile error")
        } catch let d as ConfigDiagnostic {
            #expect(d.message.hasPrefix("jq program does not compile: "))
            #expect(d.message.contains("syntax error"))
        }
        #expect(decodeError(JQConfig.self, "expr: ' '")?.message == "'expr' is empty")
        #expect(decodeError(JQConfig.self, "{}")?.message.contains("missing required key 'expr'") == true)
    }
}
