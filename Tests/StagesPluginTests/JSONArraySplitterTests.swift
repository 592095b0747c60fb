import JunctionJSON
import Testing

@Suite struct JSONArraySplitterTests {
    @Test func splitsRawElements() throws {
        let splitter = try JSONArraySplitter()
        let parts = try splitter.elements(of: Array(#"[1, {"a": [2,3]} , "x\"y",null,  -2.50 ]"#.utf8))
        #expect(parts.map { String(decoding: $0, as: UTF8.self) } == ["1", #"{"a": [2,3]}"#, #""x\"y""#, "null", "-2.50"])
        #expect(try splitter.elements(of: Array("[]".utf8)).isEmpty)
    }

    @Test func rejectsInvalidAndNonArrays() throws {
        let splitter = try JSONArraySplitter()
        #expect(throws: JSONError.self) { try splitter.elements(of: Array("[1,".utf8)) }
        #expect(throws: JSONError.self) { try splitter.elements(of: Array(#"[{"a": nope}]"#.utf8)) }
        #expect(throws: JSONError("expected a JSON array")) { try splitter.elements(of: Array(#"{"a":1}"#.utf8)) }
    }
}
