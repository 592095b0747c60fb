import Junction
import StagesPlugin
import Testing

@Suite struct FilterStageTests {
    func filter(_ whereYAML: String) throws -> FilterStage {
        try FilterStage(config: decode(FilterConfig.self, "where: \(whereYAML)"), context: context)
    }

    /// Which of `payloads` pass.
    func passing(_ whereYAML: String, _ payloads: [String]) throws -> [String] {
        run(try filter(whereYAML), payloads).texts
    }

    let levels = [#"{"level":"alert"}"#, #"{"level":"info"}"#, #"{"other":1}"#]

    @Test func batchPathMatchesPerMessagePath() throws {
        let f = try filter("{any: [{field: level, equals: alert}, {field: n, gt: 2}]}")
        let payloads = [#"{"level":"alert"}"#, "nope", #"{"n":3}"#, #"{"n":1}"#, #"{"level":"info"}"#, #"{"level":"alert","n":9}"#]
        let single = run(f, payloads)
        var batch = payloads.map { Message(text: $0) }
        var rejected: [(message: Message, reason: String)] = []
        f.process(batch: &batch, rejected: &rejected)
        #expect(batch.map(\.text) == single.texts)
        #expect(batch.map(\.text) == [payloads[0], payloads[2], payloads[5]])
        #expect(rejected.map(\.message.text) == ["nope"])
        #expect(rejected.map(\.reason) == single.reasons)
    }

    @Test func equalsAndNotEquals() throws {
        #expect(try passing("{field: level, equals: alert}", levels) == [levels[0]])
        #expect(try passing("{field: level, not_equals: alert}", levels) == [levels[1], levels[2]])
    }

    @Test func numbersCompareNumerically() throws {
        let ns = [#"{"n":5}"#, #"{"n":5.0}"#, #"{"n":50e-1}"#, #"{"n":"5"}"#, #"{"n":6}"#, #"{"n":true}"#]
        // A plain 5 matches the numbers 5, 5.0, 5e0 and the string "5"; a quoted "5" only the string.
        #expect(try passing("{field: n, equals: 5}", ns) == Array(ns[0...3]))
        #expect(try passing(#"{field: n, equals: "5"}"#, ns) == [ns[3]])
        #expect(try passing("{field: n, in: [6, '5']}", ns) == [ns[3], ns[4]])
        #expect(try passing("{field: n, equals: 5.0}", ns) == Array(ns[0...2]))
        #expect(try passing("{field: n, gt: 5}", ns) == [ns[4]])
        #expect(try passing("{field: n, gte: 5}", ns) == [ns[0], ns[1], ns[2], ns[4]])
        #expect(try passing("{field: n, lt: 5.5}", ns) == Array(ns[0...2]))
        #expect(try passing("{field: n, lte: 4}", ns) == [])
        // Ordering never holds for strings, even numeric-looking ones.
        #expect(try passing("{field: n, gt: 1}", [#"{"n":"9"}"#]) == [])
        // Several operators on one field must all hold.
        #expect(try passing("{field: n, gt: 4, lt: 6}", ns) == Array(ns[0...2]))
    }

    @Test func stringsBoolsAndNull() throws {
        let vs = [#"{"v":"true"}"#, #"{"v":true}"#, #"{"v":false}"#, #"{"v":null}"#, #"{"v":"null"}"#, #"{}"#]
        #expect(try passing("{field: v, equals: true}", vs) == [vs[0], vs[1]])
        #expect(try passing("{field: v, equals: false}", vs) == [vs[2]])
        #expect(try passing("{field: v, equals: null}", vs) == [vs[3]])
        #expect(try passing("{field: v, equals: \"null\"}", vs) == [vs[4]])
        #expect(try passing("{field: v, equals: 1}", [#"{"v":true}"#]) == [])
    }

    @Test func inExistsRegex() throws {
        let ps = [#"{"p":"p17"}"#, #"{"p":"p2"}"#, #"{"p":"x1"}"#, #"{"p":17}"#, #"{"q":1}"#]
        #expect(try passing("{field: p, in: [p2, x1, 17]}", ps) == [ps[1], ps[2], ps[3]])
        #expect(try passing("{field: p, exists: true}", ps) == Array(ps[0...3]))
        #expect(try passing("{field: p, exists: false}", ps) == [ps[4]])
        #expect(try passing(#"{field: p, regex: "^p1"}"#, ps) == [ps[0]])
        #expect(try passing(#"{field: p, regex: "[0-9]$"}"#, ps) == Array(ps[0...2]))
        // Null counts as existing.
        #expect(try passing("{field: p, exists: true}", [#"{"p":null}"#]).count == 1)
    }

    @Test func nestedFields() throws {
        let ds = [#"{"a":{"b":{"c":"x"}}}"#, #"{"a":{"b":"x"}}"#, #"{"a":[{"c":"x"}]}"#]
        #expect(try passing("{field: a.b.c, equals: x}", ds) == [ds[0]])
        #expect(try passing("{field: a.0.c, equals: x}", ds) == [ds[2]])
    }

    @Test func allAnyNot() throws {
        let ms = [
            #"{"level":"alert","seq":1}"#,
            #"{"level":"alert","seq":20}"#,
            #"{"level":"info","seq":30}"#,
            #"{"level":"debug","seq":40,"muted":true}"#,
        ]
        let yaml = """
        
          any:
            - all:
                - {field: level, equals: alert}
                - {field: seq, gte: 10}
            - not:
                any:
                  - {field: level, in: [alert, info]}
                  - {field: muted, equals: true}
        """
        #expect(try passing(yaml, ms) == [ms[1]])
        #expect(try passing("{not: {field: level, equals: alert}}", ms) == [ms[2], ms[3]])
        #expect(try passing("{all: [{field: level, equals: alert}, {field: seq, lt: 5}]}", ms) == [ms[0]])
        #expect(try passing("{any: [{field: seq, equals: 30}, {field: muted, exists: true}]}", ms) == [ms[2], ms[3]])
    }

    @Test func invalidJSONIsRejected() throws {
        let out = run(try filter("{field: level, equals: alert}"), ["not json", #"{"level":"alert""#, #"{"level":"alert"}"#])
        #expect(out.texts == [#"{"level":"alert"}"#])
        #expect(out.reasons == ["invalid JSON", "invalid JSON"])
        #expect(out.rejected.first?.message.text == "not json")
    }

    @Test func metadataPassesThrough() throws {
        let out = run(try filter("{field: level, equals: alert}"), [#"{"level":"alert"}"#], metadata: ["source": "lines"])
        #expect(out.messages.first?.metadata == ["source": "lines"])
    }
}
