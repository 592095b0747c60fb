import Dispatch
import Foundation
@testable import JunctionJSON
import Synchronization
import Testing

@Suite struct JSONValueTests {
    private func parse(_ text: String) throws(JSONError) -> JSONValue { try JSONValue.parse(Array(text.utf8)) }

    /// Whether simdjson builds the document itself (no Foundation fallback).
    private func fast(_ text: String) -> JSONValue? {
        let builder = JSONValueBuilder()!
        return Array(text.utf8).withUnsafeBytes { builder.build($0) }
    }

    @Test func buildsEveryKindInOrder() throws {
        let text = #" {"s":"x","n":-1.5e1,"t":true,"f":false,"z":null,"a":[1,[2,[]],{}],"o":{"k":{"deep":"er"}}} "#
        let v = try parse(text)
        #expect(v == .object([
            ("s", .string("x")), ("n", .number(-15)), ("t", .bool(true)), ("f", .bool(false)), ("z", .null),
            ("a", .array([.number(1), .array([.number(2), .array([])]), .object([])])),
            ("o", .object([("k", .object([("deep", .string("er"))]))])),
        ]))
        #expect(fast(text) == v)
        #expect(v["o"]?["k"]?["deep"]?.stringValue == "er")
        #expect(v["a"]?[1]?[0]?.numberValue == 2)
        #expect(v["a"]?[9] == nil && v["nope"] == nil && v["s"]?["x"] == nil && v[0] == nil)
        #expect(v.objectValue?.map(\.key) == ["s", "n", "t", "f", "z", "a", "o"])
        #expect(v["z"]?.isNull == true && v["t"]?.boolValue == true && v["t"]?.numberValue == nil)
        #expect(v["n"]?.kind == .number && v["a"]?.arrayValue?.count == 3)
        #expect(v.description == #"{"s":"x","n":-15,"t":true,"f":false,"z":null,"a":[1,[2,[]],{}],"o":{"k":{"deep":"er"}}}"#)
    }

    @Test func topLevelScalars() throws {
        #expect(try parse("5") == .number(5))
        #expect(try parse(#" "x" "#) == .string("x"))
        #expect(try parse("null") == .null)
        #expect(try parse("true") == .bool(true))
        #expect(try parse("[]") == .array([]))
        #expect(try JSONValue.parse(#"{"a":1}"#)["a"] == .number(1))
    }

    @Test func duplicateKeysAreKeptAndTheLastOneIsLookedUp() throws {
        let v = try parse(#"{"a":1,"b":2,"a":3}"#)
        #expect(v.objectValue?.map(\.key) == ["a", "b", "a"])
        #expect(v["a"] == .number(3))
        #expect(v.values(forKey: "a") == [.number(1), .number(3)])
        #expect(v.values(forKey: "zz").isEmpty && JSONValue.null.values(forKey: "a").isEmpty)
        // Keys compare as Swift strings: "é" and "e\u{301}" are the same key.
        let w = try parse("{\"\u{E9}\":1,\"e\u{301}\":2}")
        #expect(w["\u{E9}"] == .number(2) && w["e\u{301}"] == .number(2))
    }

    @Test func unicodeEscapes() throws {
        let v = try parse(#"["\u00e9","\ud83d\ude00","a\u0000b","\"\\\/\b\f\n\r\t","\uFEFF","é😀"]"#)
        #expect(v == .array([.string("é"), .string("😀"), .string("a\u{0}b"), .string("\"\\/\u{8}\u{C}\n\r\t"), .string("\u{FEFF}"), .string("é😀")]))
        #expect(fast(#"["\u00e9","\ud83d\ude00"]"#) != nil)
        #expect(try parse(#"{"\u006b\u00e9y":1}"#)["ké" + "y"] == .number(1))
        #expect(try parse(#"["a\u0001"]"#).description == #"["a\u0001"]"#)
        for bad in [#"["\ud800"]"#, #"["\udc00"]"#, #"["\ud800\u0041"]"#, #"["\x"]"#, #"["\u12G4"]"#] {
            #expect(throws: JSONError.self, "\(bad)") { try parse(bad) }
        }
    }

    @Test func numbers() throws {
        #expect(try parse("5").isInteger && parse("5").int64Value == 5)
        #expect(try parse("5.0").isInteger && parse("5e3").int64Value == 5000 && parse("-0.5e1").int64Value == -5)
        #expect(try !parse("5.5").isInteger && parse("5.5").int64Value == nil)
        #expect(try parse("1e300").isInteger && parse("1e300").int64Value == nil)
        #expect(try !parse("true").isInteger && parse("true").numberValue == nil)
        #expect(try parse("-1.5E-3") == .number(-0.0015))
        #expect(try parse("9007199254740993") == .number(9_007_199_254_740_992))
        #expect(try parse("-9223372036854775807") == .number(Double(-9_223_372_036_854_775_807 as Int64)))
        #expect(try parse("18446744073709551615") == .number(Double(UInt64.max)))
        #expect(try parse("1e-400") == .number(0))
        #expect(throws: JSONError.self) { try parse("1e400") }
        for bad in ["01", "1.", ".5", "+1", "-", "1e", "0x10", "NaN", "Infinity", "1 2"] {
            #expect(throws: JSONError.self, "\(bad)") { try parse(bad) }
        }
    }

    @Test func invalidDocumentsThrow() {
        for bad in ["", "   ", "{", "[1 2]", "{\"a\" 1}", "{a:1}", "tru", "nul", "[1]x", "\"\u{1}\"", "{\"a\":1}}", "[,1]", "{,}"] {
            #expect(throws: JSONError.self, "\(bad.debugDescription)") { try parse(bad) }
        }
        #expect(throws: JSONError.self) { try JSONValue.parse([0x22, 0xFF, 0x22]) }
        #expect(throws: JSONError.self) { try JSONValue.parse([0x22, 0xC0, 0x80, 0x22]) }
        do {
            _ = try parse("{")
        } catch {
            #expect(error.message.hasPrefix("invalid JSON: "))
        }
    }

    /// What simdjson leaves out (or refuses while Foundation accepts) is
    /// parsed by Foundation, with Foundation's values.
    @Test func fallbackPath() throws {
        let deep = String(repeating: "[", count: 150) + "7" + String(repeating: "]", count: 150)
        let cases: [(String, JSONValue)] = [
            (deep, (0..<150).reduce(JSONValue.number(7)) { v, _ in .array([v]) }),
            ("123456789012345678901234567890", .number(1.2345678901234568e29)),
            (#"{"n":-0}"#, .object([("n", .number(0))])),
            ("[1,2,]", .array([.number(1), .number(2)])),
            (#"{"b":1,"a":2,}"#, .object([("a", .number(2)), ("b", .number(1))])),
            ("\u{FEFF}[1]", .array([.number(1)])),
            ("[\"\u{FEFF}x\",\"\\n\u{FEFF}y\",\"\\uFEFFz\"]", .array([.string("x"), .string("\ny"), .string("\u{FEFF}z")])),
            ("[0.1234567890123456]", .array([.number(0.12345678901234558)])),
        ]
        for (text, expected) in cases {
            #expect(fast(text) == nil, "\(text.prefix(40)) should fall back")
            let v = try parse(text)
            #expect(v == expected, "\(text.prefix(40))")
            #expect(v == (try Array(text.utf8).withUnsafeBytes { b throws(JSONError) in try JSONValue.parseWithFoundation(b) }))
        }
        // UTF-16 with a byte order mark: Foundation's.
        let utf16: [UInt8] = [0xFF, 0xFE] + Array("[1]".utf8).flatMap { [$0, 0] }
        #expect(try JSONValue.parse(utf16) == .array([.number(1)]))
        // Foundation's depth limit is the limit.
        let tooDeep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: JSONError.self) { try parse(tooDeep) }
        // -0.0 keeps its sign on either path; an 18-character integer that fits stays exact.
        #expect(try parse("-0.0").numberValue?.sign == .minus)
        #expect(try parse("123456789012345678") == .number(Double(123_456_789_012_345_678 as Int64)))
    }

    @Test func fastPathCoversOrdinaryDocuments() {
        let body = #"{"items":[{"portalid":"bench","payload":"seq=1 level=info abcdefghijklmnopqrstuvwxyz0123456789","servertimestamp":1700000000000}]}"#
        #expect(fast(body) != nil)
        #expect(fast(#"{"a":"x","b":"12345678901234567890"}"#) != nil)  // a long digit run but no number
        #expect(fast(#"{"a":-0.1234567890123,"b":1e-5}"#) != nil)
        #expect(fast(#"{"a":1,"b":"12345678901234567890"}"#) == nil)  // a long digit run with a number: Foundation decides
        #expect(JSONValueBuilder.hasLongNumberText(UnsafeRawBufferPointer(start: nil, count: 0)) == false)
    }

    @Test func concurrentParsesFromManyThreads() throws {
        let threads = 8
        let rounds = 400
        let failures = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            for r in 0..<rounds {
                let text = #"{"t":\#(t),"r":\#(r),"s":"thread \#(t) round \#(r) é","a":[\#(t),[\#(r)],{"k":null}],"deep":\#(String(repeating: "[", count: 120))\#(r)\#(String(repeating: "]", count: 120))}"#
                guard let v = try? JSONValue.parse(Array(text.utf8)),
                      v["t"] == .number(Double(t)), v["r"] == .number(Double(r)),
                      v["s"]?.stringValue == "thread \(t) round \(r) é",
                      v["a"] == .array([.number(Double(t)), .array([.number(Double(r))]), .object([("k", .null)])])
                else {
                    failures.withLock { $0 += 1 }
                    continue
                }
            }
        }
        #expect(failures.withLock { $0 } == 0)
        #expect(JSONValueBuilderPool.idleCount <= JSONValueBuilderPool.maxIdle)
    }

    /// Random documents (and broken ones): `parse` answers what Foundation
    /// answers, up to the order and duplicates Foundation cannot keep.
    @Test func agreesWithFoundationOnRandomDocuments() throws {
        var rng = SplitMix(seed: 0x5EED)
        var fastCount = 0
        for i in 0..<3000 {
            var bytes = Array(RandomJSON.document(&rng).utf8)
            if i % 5 == 4, !bytes.isEmpty {  // break some
                let at = Int(rng.next() % UInt64(bytes.count))
                let noise = Array(#"{}[],:"\ 0a-.e"#.utf8)
                bytes[at] = noise[rng.below(noise.count)]
            }
            let ours = try? JSONValue.parse(bytes)
            let reference = try? bytes.withUnsafeBytes { b throws(JSONError) in try JSONValue.parseWithFoundation(b) }
            #expect(ours.map(Self.foundationShape) == reference, "\(String(decoding: bytes, as: UTF8.self))")
            if bytes.withUnsafeBytes({ JSONValueBuilder()!.build($0) }) != nil { fastCount += 1 }
        }
        #expect(fastCount > 1000)
    }

    /// Objects as Foundation gives them: one member per key (last value,
    /// first spelling), sorted by key.
    static func foundationShape(_ v: JSONValue) -> JSONValue {
        switch v {
        case .array(let a): return .array(a.map(foundationShape))
        case .object(let members):
            var out: [(key: String, value: JSONValue)] = []
            for m in members {
                if let i = out.firstIndex(where: { $0.key == m.key }) {
                    out[i].value = foundationShape(m.value)
                } else {
                    out.append((m.key, foundationShape(m.value)))
                }
            }
            return .object(out.sorted { $0.key < $1.key })
        default: return v
        }
    }
}

extension SplitMix {
    fileprivate mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

/// Random JSON text, biased to the corners where parsers differ.
enum RandomJSON {
    static let numbers = [
        "0", "-0", "-0.0", "1", "-1", "5.0", "1.5", "1e3", "1E3", "-2.5e-3", "1e-400", "1e308", "9007199254740993",
        "123456789012345678", "12345678901234567890", "-9223372036854775808", "18446744073709551616",
        "0.1234567890123456", "0.12345678901234", "91687.999999999999999999991", "1.0000000000000000001",
        "8999999999999999", "9000000000000000.0", "1700000000000", "0.30000000000000004",
    ]
    static let strings = [
        "", "x", "portalid", "payload", "a b", "é", "e\u{301}", "😀", "\\u00e9", "\\ud83d\\ude00", "\\n\\t\\\"\\\\\\/",
        "\u{FEFF}bom", "\\uFEFF", "12345678901234567890", "\\u0000", "\u{7F}", "日本",
    ]

    static func document(_ rng: inout SplitMix) -> String {
        var out = ""
        switch rng.below(10) {
        case 0: value(&rng, depth: 0, into: &out)
        case 1: out = " \n" + String(repeating: "[", count: 95 + rng.below(10)) + "1" + String(repeating: "]", count: 95 + rng.below(10))
        default: object(&rng, depth: 0, into: &out)
        }
        if rng.below(8) == 0 { out += " \t\r\n" }
        return out
    }

    static func value(_ rng: inout SplitMix, depth: Int, into out: inout String) {
        switch depth > 4 ? rng.below(5) : rng.below(8) {
        case 0: out += "null"
        case 1: out += rng.below(2) == 0 ? "true" : "false"
        case 2: out += numbers[rng.below(numbers.count)]
        case 3, 4: out += "\"" + strings[rng.below(strings.count)] + "\""
        case 5: object(&rng, depth: depth + 1, into: &out)
        default:
            out += "["
            let n = rng.below(4)
            for i in 0..<n {
                if i > 0 { out += rng.below(6) == 0 ? " , " : "," }
                value(&rng, depth: depth + 1, into: &out)
            }
            if n > 0, rng.below(20) == 0 { out += "," }
            out += "]"
        }
    }

    static func object(_ rng: inout SplitMix, depth: Int, into out: inout String) {
        out += "{"
        let n = rng.below(5)
        for i in 0..<n {
            if i > 0 { out += "," }
            out += "\"" + strings[rng.below(strings.count)] + "\"" + (rng.below(6) == 0 ? " : " : ":")
            value(&rng, depth: depth + 1, into: &out)
        }
        if n > 0, rng.below(20) == 0 { out += "," }
        out += "}"
    }
}
