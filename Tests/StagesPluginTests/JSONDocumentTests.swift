import JunctionJSON
import Testing

@Suite struct JSONDocumentTests {
    func doc(_ s: String) throws -> JSONDocument { try JSONDocument(parsing: Array(s.utf8)) }

    @Test func parseAndSerialize() throws {
        #expect(try doc(#" {"b": 1, "a": [true, null, 1.5]} "#).text == #"{"b":1,"a":[true,null,1.5]}"#)
        #expect(throws: JSONError.self) { try doc("{") }
        #expect(throws: JSONError.self) { try doc("1 2") }
    }

    @Test func setCreatesObjectsAndKeepsOrder() throws {
        let d = try doc(#"{"z":1,"a":{"b":2}}"#)
        try d.set(JSONPath("a.c.d"), to: .string("x"))
        try d.set(JSONPath("z"), to: .number(9))
        try d.set(JSONPath("new"), to: .bool(false))
        #expect(d.text == #"{"z":9,"a":{"b":2,"c":{"d":"x"}},"new":false}"#)
        #expect(throws: JSONError.self) { try d.set(JSONPath("z.q"), to: .null) }
        #expect(d.text == #"{"z":9,"a":{"b":2,"c":{"d":"x"}},"new":false}"#)
    }

    @Test func arrays() throws {
        let d = try doc(#"{"items":[{"id":1},{"id":2}]}"#)
        #expect(d.value(at: JSONPath("items.1.id"))?.numberValue == 2)
        try d.set(JSONPath("items.0.id"), to: .number(7))
        #expect(d.remove(JSONPath("items.1")))
        #expect(d.text == #"{"items":[{"id":7}]}"#)
    }

    @Test func renameInPlaceAndAcross() throws {
        let d = try doc(#"{"a":1,"b":2,"c":{"d":3}}"#)
        #expect(try d.rename(JSONPath("a"), to: JSONPath("x")))
        #expect(d.text == #"{"x":1,"b":2,"c":{"d":3}}"#)
        #expect(try d.rename(JSONPath("c.d"), to: JSONPath("e.f")))
        #expect(d.text == #"{"x":1,"b":2,"c":{},"e":{"f":3}}"#)
        #expect(try !d.rename(JSONPath("missing"), to: JSONPath("y")))
        // Renaming onto an existing key replaces it, at the renamed key's place.
        #expect(try d.rename(JSONPath("x"), to: JSONPath("b")))
        #expect(d.text == #"{"b":1,"c":{},"e":{"f":3}}"#)
    }

    @Test func removeAndKeep() throws {
        let d = try doc(#"{"a":1,"b":{"c":2,"d":3},"e":4}"#)
        #expect(d.remove(JSONPath("b.c")))
        #expect(!d.remove(JSONPath("b.c")))
        #expect(!d.remove(JSONPath("a.x")))
        #expect(d.text == #"{"a":1,"b":{"d":3},"e":4}"#)
        let k = try doc(#"{"a":1,"b":{"c":2,"d":3},"e":4}"#)
        k.keep(only: [JSONPath("e"), JSONPath("b.d"), JSONPath("missing")])
        #expect(k.text == #"{"b":{"d":3},"e":4}"#)
        let none = try doc(#"{"a":1}"#)
        none.keep(only: [JSONPath("zz")])
        #expect(none.text == "{}")
    }

    @Test func appendText() throws {
        let d = try doc(#"{"s":"hi \"you\"","n":2.5,"o":{"k":[1]}}"#)
        var out: [UInt8] = []
        #expect(d.appendText(at: JSONPath("s"), to: &out))
        out.append(UInt8(ascii: "|"))
        d.appendText(at: JSONPath("n"), to: &out)
        out.append(UInt8(ascii: "|"))
        d.appendText(at: JSONPath("o"), to: &out)
        #expect(!d.appendText(at: JSONPath("none"), to: &out))
        #expect(String(decoding: out, as: UTF8.self) == #"hi "you"|2.5|{"k":[1]}"#)
        #expect(JSONDocument.quoted("a\"b\n") == #""a\"b\n""#)
    }
}
