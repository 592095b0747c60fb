import Junction
import StagesPlugin
import Testing

@Suite struct TransformStageTests {
    func transform(_ yaml: String) throws -> TransformStage {
        try TransformStage(config: decode(TransformConfig.self, yaml), context: context)
    }

    @Test func renameKeepsPlaceAndOrder() throws {
        let out = run(try transform("rename: {a: x, x: y, c.d: c.e}"), [#"{"a":1,"b":2,"c":{"d":3,"f":4}}"#])
        // a→x then x→y: renames apply in file order.
        #expect(out.texts == [#"{"y":1,"b":2,"c":{"e":3,"f":4}}"#])
    }

    @Test func setTypedScalarsAndTemplates() throws {
        let yaml = #"""
        set:
          n: 5
          f: 2.5
          t: true
          z: null
          s: hello
          nested.path: x
          greeting: "hi {{user.name}} from {{meta.source}} ({{missing}})"
          copy: "{{user}}"
          seq2: "{{seq}}"
        """#
        let out = run(try transform(yaml), [#"{"seq":7,"user":{"name":"ann"}}"#], metadata: ["source": "lines"])
        #expect(out.texts == [#"{"seq":7,"user":{"name":"ann"},"n":5,"f":2.5,"t":true,"z":null,"s":"hello","nested":{"path":"x"},"greeting":"hi ann from lines ()","copy":{"name":"ann"},"seq2":7}"#])
        #expect(out.messages[0].kind == .text)
        #expect(out.messages[0].metadata == ["source": "lines"])
    }

    @Test func deleteAndKeep() throws {
        let out = run(try transform("delete: [b, c.d, nope]"), [#"{"a":1,"b":2,"c":{"d":3,"e":4}}"#])
        #expect(out.texts == [#"{"a":1,"c":{"e":4}}"#])
        let kept = run(try transform("keep: [c.e, a]"), [#"{"a":1,"b":2,"c":{"d":3,"e":4}}"#])
        #expect(kept.texts == [#"{"a":1,"c":{"e":4}}"#])
    }

    @Test func operationsApplyInOrder() throws {
        // rename, then set (sees the renamed field), then delete, then keep, then template.
        let yaml = """
        rename: {name: user}
        set: {label: "{{user}}-{{id}}", tmp: 1}
        delete: [tmp]
        keep: [label, user, tmp]
        """
        let out = run(try transform(yaml), [#"{"id":9,"name":"bo","junk":true}"#])
        #expect(out.texts == [#"{"user":"bo","label":"bo-9"}"#])
        let templated = run(try transform(yaml + "\ntemplate: '{{label}}|{{id}}|{{user}}'"), [#"{"id":9,"name":"bo"}"#])
        // `id` was dropped by keep before the template ran.
        #expect(templated.texts == ["bo-9||bo"])
    }

    @Test func templateOfATextPayloadRendersItRaw() throws {
        let t = try transform(#"template: "Echo: {{.}}{{name}} ({{meta.k}})""#)
        let out = run(t, ["hello there", "", #"{"name":"x"}"#], metadata: ["k": "v"])
        #expect(out.texts == ["Echo: hello there (v)", "Echo:  (v)", #"Echo: {"name":"x"}x (v)"#])
    }

    @Test func templateRendersWholePayload() throws {
        let t = try transform(#"template: "[{{meta.source}}] {{level}}: {{msg}} {{obj}} {{.}}""#)
        let out = run(t, [#"{"level":"warn","msg":"disk \"full\"","obj":{"a":[1]}}"#], metadata: ["source": "hooks"])
        #expect(out.texts == [#"[hooks] warn: disk "full" {"a":[1]} {"level":"warn","msg":"disk \"full\"","obj":{"a":[1]}}"#])
        // Without JSON edits, a non-JSON payload still renders: fields are empty, {{.}} is the text.
        let plain = run(t, ["plain text"], metadata: ["source": "s"])
        #expect(plain.texts == ["[s] :   plain text"])
        #expect(plain.rejected.isEmpty)
    }

    @Test func quotedScalarsStayStrings() throws {
        let t = try transform(#"set: {n: 5, s: "5", b: true, q: 'true'}"#)
        #expect(run(t, ["{}"]).texts == [#"{"n":5,"s":"5","b":true,"q":"true"}"#])
    }

    @Test func invalidInputOrEditIsRejected() throws {
        let t = try transform("set: {a.b: 1}")
        let out = run(t, ["not json", #"{"a":"string"}"#, #"{"a":{}}"#])
        #expect(out.texts == [#"{"a":{"b":1}}"#])
        #expect(out.reasons.count == 2)
        #expect(out.reasons[0].hasPrefix("invalid JSON"))
        #expect(out.reasons[1].contains("cannot set 'a.b'"))
    }

    @Test func configMistakes() {
        #expect(decodeError(TransformConfig.self, "{}")?.message == "transform does nothing")
        #expect(decodeError(TransformConfig.self, "template: 'a {{b'")?.message.hasPrefix("unclosed '{{'") == true)
        #expect(decodeError(TransformConfig.self, "delete: ['a..b']")?.message == "invalid field path 'a..b'")
        #expect(decodeError(TransformConfig.self, "set: {x: '{{ }}'}")?.message.hasPrefix("invalid reference") == true)
        #expect(decodeError(TransformConfig.self, "rename: [a, b]") != nil)
    }
}
