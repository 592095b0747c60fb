import JunctionJSON
import Testing

@Suite struct JQProgramTests {
    func texts(_ r: Result<[[UInt8]], JQError>) -> [String]? {
        (try? r.get())?.map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func outputsZeroOneOrMany() throws {
        let select = try JQProgram("select(.seq % 2 == 0) | {portalid, payload}")
        #expect(texts(select.run(Array(#"{"seq":2,"level":"info","portalid":"p17","payload":"x"}"#.utf8))) == [#"{"portalid":"p17","payload":"x"}"#])
        #expect(texts(select.run(Array(#"{"seq":3,"portalid":"p17","payload":"x"}"#.utf8))) == [])
        let each = try JQProgram(".[]")
        #expect(texts(each.run(Array("[1, \"a\", {\"b\": null}]".utf8))) == ["1", "\"a\"", #"{"b":null}"#])
    }

    @Test func invalidJSONIsAnError() throws {
        let p = try JQProgram(".")
        guard case let .failure(e) = p.run(Array("{\"a\":".utf8)) else {
            Issue.record("expected a failure")
            return
        }
        #expect(e.kind == .invalidJSON)
        #expect(!e.message.contains("while parsing"))
        // The program still works afterwards.
        #expect(texts(p.run(Array("{ \"a\" : 1 }".utf8))) == [#"{"a":1}"#])
    }

    @Test func runtimeErrors() throws {
        let p = try JQProgram(#"if .fail then error("boom") else .x end"#)
        #expect(p.run(Array(#"{"fail":true}"#.utf8)) == .failure(JQError(.runtime, "boom")))
        #expect(texts(p.run(Array(#"{"x":3}"#.utf8))) == ["3"])
        let typeError = try JQProgram(".a + 1")
        guard case let .failure(e) = typeError.run(Array(#"{"a":"s"}"#.utf8)) else {
            Issue.record("expected a failure")
            return
        }
        #expect(e.kind == .runtime)
        #expect(e.message.contains("cannot be added"))
        let halt = try JQProgram(#""bye" | halt_error"#)
        guard case let .failure(h) = halt.run(Array("1".utf8)) else {
            Issue.record("expected a failure")
            return
        }
        #expect(h.kind == .runtime && h.message == "bye")
    }

    @Test func compileErrorsThrow() {
        do throws(JQError) {
            _ = try JQProgram(".a | | .b")
            Issue.record("expected a compile error")
        } catch {
            #expect(error.kind == .compile)
            #expect(error.message.contains("syntax error"))
        }
        #expect(throws: JQError.self) { try JQProgram("nosuchfunction(1)") }
    }
}

@Suite struct JQInputParsingTests {
    @Test func oneValueExactly() throws {
        let p = try JQProgram(".")
        let cases: [(String, String?)] = [
            ("5", "5"), ("  \"s\"  ", #""s""#), ("true", "true"), ("[1,2]\n", "[1,2]"),
            ("1 2", nil), (#"{"a":1} x"#, nil), (#"{"a":1} {"b":"#, nil), ("   ", nil), ("", nil),
            ("\"unterminated", nil), ("{\"a\":", nil), ("nul", nil), ("{\"a\":1}", #"{"a":1}"#), ("-1.5e3", "-1500"),
        ]
        // Twice: the kept parser must come back clean after every kind of failure.
        for _ in 0..<2 {
            for (input, expected) in cases {
                switch p.run(Array(input.utf8)) {
                case let .success(outputs):
                    #expect(outputs.map { String(decoding: $0, as: UTF8.self) } == [expected].compactMap { $0 }, "\(input)")
                    #expect(expected != nil, "\(input) should fail")
                case let .failure(e):
                    #expect(expected == nil, "\(input): \(e)")
                    #expect(e.kind == .invalidJSON)
                    #expect(!e.message.contains("while parsing"))
                }
            }
        }
    }

    @Test func errorPositionsAreLocalToTheInput() throws {
        let p = try JQProgram(".")
        for _ in 0..<50 { _ = p.run(Array("{\"a\":1}".utf8)) }
        guard case let .failure(e) = p.run(Array("{\"a\":}".utf8)) else {
            Issue.record("expected a failure")
            return
        }
        #expect(e.message.contains("line 1,"), "\(e.message)")
    }
}
