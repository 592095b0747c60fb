import JunctionJSON
import Testing

@Suite struct JSONFieldReaderTests {
    let doc = #"{"level":"alert","n":5,"f":-1.5e1,"b":true,"z":null,"o":{"x":[1,{"y":"deep"}]},"s":"a\"b\u00e9","a/b":7}"#

    @Test func readsEveryKind() throws {
        let reader = try JSONFieldReader(paths: ["level", "n", "f", "b", "z", "o", "o.x", "o.x.1.y", "s", "a/b"].map(JSONPath.init))
        try reader.read(Array(doc.utf8))
        #expect(reader[0].string == "alert")
        #expect(reader[1].kind == .number && reader[1].number == 5)
        #expect(String(decoding: reader[1].bytes, as: UTF8.self) == "5")
        #expect(reader[2].number == -15)
        #expect(reader[3].kind == .bool && reader[3].bool)
        #expect(reader[4].kind == .null)
        #expect(reader[5].kind == .object)
        #expect(String(decoding: reader[5].bytes, as: UTF8.self) == #"{"x":[1,{"y":"deep"}]}"#)
        #expect(reader[6].kind == .array)
        #expect(reader[7].string == "deep")
        #expect(reader[8].string == "a\"bé")
        #expect(reader[9].number == 7)
        #expect(reader[0].stringEquals(Array("alert".utf8)))
        #expect(!reader[0].stringEquals(Array("alerts".utf8)))
        #expect(reader[8].jsonText == #""a\"bé""#)
    }

    @Test func missingPathsAreMissing() throws {
        let reader = try JSONFieldReader(paths: ["nope", "level.deeper", "o.x.9", "o.x.y", "n.m"].map(JSONPath.init))
        try reader.read(Array(doc.utf8))
        for i in 0..<5 { #expect(reader[i].kind == nil, "path \(reader.paths[i])") }
    }

    @Test func invalidDocumentsThrow() throws {
        let reader = try JSONFieldReader(paths: [JSONPath("level")])
        for bad in ["", "hello", "nope", "{\"level\" \"x\"}", "{\"level\":\"unterminated}", "tru"] {
            #expect(throws: JSONError.self, "\(bad)") { try reader.read(Array(bad.utf8)) }
            #expect(reader[0].kind == nil)
        }
        // A valid scalar document has no fields.
        try reader.read(Array("5".utf8))
        #expect(reader[0].kind == nil)
        // The reader recovers after an error.
        try reader.read(Array(#"{"level":"info"}"#.utf8))
        #expect(reader[0].string == "info")
    }

    @Test func answersLastUntilNextRead() throws {
        let reader = try JSONFieldReader(paths: [JSONPath("a"), JSONPath("b")])
        try reader.read(Array(#"{"b":"two","a":"one"}"#.utf8))
        #expect(reader[0].string == "one")
        #expect(reader[1].string == "two")
        try reader.read(Array(#"{"a":"x"}"#.utf8))
        #expect(reader[0].string == "x")
        #expect(reader[1].kind == nil)
    }

    @Test func topLevelStringsStayDistinct() throws {
        // Top-level keys take a one-pass path where strings stay in simdjson's buffer.
        let reader = try JSONFieldReader(paths: ["a", "b", "c", "zz", "d"].map(JSONPath.init))
        try reader.read(Array(#"{"c":"th\u0072ee","d":{"x":[1]},"b":"two","a":"one","e":5}"#.utf8))
        #expect(reader[0].string == "one")
        #expect(reader[1].string == "two")
        #expect(reader[2].string == "three")
        #expect(reader[3].kind == nil)
        #expect(String(decoding: reader[4].bytes, as: UTF8.self) == #"{"x":[1]}"#)
        #expect(throws: JSONError.self) { try reader.read(Array(#"{"a":"x","b":tru}"#.utf8)) }
    }

    @Test func largeDocumentsGrowTheBuffer() throws {
        let reader = try JSONFieldReader(paths: [JSONPath("last")])
        let filler = String(repeating: "x", count: 200_000)
        try reader.read(Array(#"{"pad":"\#(filler)","last":42}"#.utf8))
        #expect(reader[0].number == 42)
    }

    @Test func pointerEscaping() {
        #expect(JSONPath("a/b.c~d").pointer == "/a~1b/c~0d")
        #expect(JSONPath("").isRoot)
        #expect(JSONPath("a..b").hasEmptyComponent)
    }
}
