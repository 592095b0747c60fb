import Junction
import StagesPlugin
import Testing

@Suite struct PredicateDecodingTests {
    @Test func decodesTheTree() throws {
        let config = try decode(FilterConfig.self, """
        where:
          all:
            - {field: a, equals: x}
            - not: {field: b, exists: true}
        """)
        #expect(config.predicate == .all([
            .test(field: "a", .equals(ScalarLiteral("x"))),
            .not(.test(field: "b", .exists(true))),
        ]))
        #expect(config.predicate.fields == ["a", "b"])
    }

    @Test func unknownKeyHasLocationAndHint() throws {
        let d = try #require(decodeError(FilterConfig.self, "where:\n  field: level\n  equal: alert\n"))
        #expect(d.message == "unknown predicate key 'equal'")
        #expect(d.location == ConfigLocation(file: "t.yaml", line: 3, column: 10))
        #expect(d.hint == "did you mean 'equals'?")
    }

    @Test func mistakes() throws {
        let cases: [(String, String)] = [
            ("where: {field: level}", "predicate on 'level' has no operator"),
            ("where: {equals: alert}", "predicate has no 'field'"),
            ("where: {all: [{field: a, exists: true}], field: b}", "'all' must be the only key of its predicate (found all, field)"),
            ("where: {any: []}", "'any' needs at least one predicate"),
            ("where: {field: a, regex: '(unclosed'}", "invalid regex '(unclosed'"),
            ("where: {field: 'a..b', exists: true}", "invalid field path 'a..b'"),
            ("where: alert", "expected a predicate mapping"),
            ("where: {field: a, in: []}", "'in' needs at least one value"),
            ("where: {field: a, equals: {x: 1}}", "expected a scalar (string, number, boolean or null)"),
        ]
        for (yaml, message) in cases {
            let d = decodeError(FilterConfig.self, yaml)
            #expect(d?.message == message, "\(yaml)")
            #expect(d?.location != nil, "\(yaml)")
        }
        let gt = try #require(decodeError(FilterConfig.self, "where: {field: a, gt: lots}"))
        #expect(gt.message.contains("expected a number"))
        #expect(gt.location?.line == 1)
        #expect(decodeError(FilterConfig.self, "other: 1")?.message.contains("missing required key 'where'") == true)
    }
}
