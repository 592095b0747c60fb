import Junction
import StagesPlugin
import Testing

@Suite struct SwitchStageTests {
    let yaml = """
    cases:
      - when: {field: level, equals: alert}
        to: [pager, log]
      - when: {field: seq, gt: 10}
        to: [big]
      - when: {field: level, in: [alert, warn]}
        to: [log, ops]
    default: [rest]
    """

    @Test func firstMatchPicksOneCase() throws {
        let s = try SwitchStage(config: decode(SwitchConfig.self, yaml), context: context)
        let out = run(s, [#"{"level":"alert","seq":50}"#, #"{"level":"info","seq":50}"#, #"{"level":"warn"}"#, #"{"level":"info"}"#])
        #expect(out.messages.map(\.targets) == [["pager", "log"], ["big"], ["log", "ops"], ["rest"]])
    }

    @Test func everyMatchUnionsTargets() throws {
        let s = try SwitchStage(config: decode(SwitchConfig.self, yaml + "\nfirst_match: false"), context: context)
        let out = run(s, [#"{"level":"alert","seq":50}"#, #"{"level":"info"}"#])
        #expect(out.messages.map(\.targets) == [["pager", "log", "big", "ops"], ["rest"]])
    }

    @Test func noMatchWithoutDefaultDrops() throws {
        let config = try decode(SwitchConfig.self, "cases: [{when: {field: a, exists: true}, to: [x]}]")
        let out = run(try SwitchStage(config: config, context: context), [#"{"a":1}"#, #"{"b":1}"#, "nope"])
        #expect(out.texts == [#"{"a":1}"#])
        #expect(out.messages[0].targets == ["x"])
        #expect(out.reasons == ["invalid JSON"])
    }

    @Test func routeTargetsListEverySink() throws {
        let config = try decode(SwitchConfig.self, yaml)
        let routing: any RoutingStageConfig = config
        #expect(routing.routeTargets == ["pager", "log", "big", "ops", "rest"])
    }

    @Test func configMistakes() {
        #expect(decodeError(SwitchConfig.self, "cases: []")?.message == "'cases' is empty")
        #expect(decodeError(SwitchConfig.self, "cases: [{when: {field: a, exists: true}, to: []}]")?.message == "'to' is empty")
        let d = decodeError(SwitchConfig.self, "cases:\n  - when: {field: a, exists: true}\n    too: [x]\n")
        #expect(d != nil)
    }
}
