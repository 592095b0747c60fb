import Testing

@testable import XRTCPlugin

/// The one-pass item/set reader: it takes the plain shape, leaves everything
/// else to the general reader, and item/set gives what the Foundation-based
/// reader gave either way.
@Suite struct XRTCPlainSetTests {
    let parity = XRTCJSONParityTests()

    func plain(_ body: String) -> [String]? {
        XRTCPlainSet.items(Array(body.utf8)).map { $0.map { $0.portal + "=" + $0.payload } }
    }

    @Test func takesThePlainShape() {
        let cases: [(String, [String])] = [
            (#"{"items":[{"portalid":"p","payload":"x"}]}"#, ["p=x"]),
            (#"{"items":[]}"#, []),
            (" {\n\t\"items\" : [ { \"payload\" : \"x y\" , \"portalid\" : \"p\" } , {\"portalid\":\"q\",\"payload\":\"\"} ] }\r\n", ["p=x y", "q="]),
            (#"{"items":[{"portalid":"é😀","payload":"e\#u{301}"}]}"#, ["é😀=e\u{301}"]),
            (#"{"items":[{"portalid":"","payload":"x"}]}"#, ["=x"]),
        ]
        for (body, expected) in cases {
            #expect(plain(body) == expected, "\(body.debugDescription)")
            parity.expectSame(Array(body.utf8))
        }
    }

    @Test func leavesEverythingElse() {
        let bodies = [
            "", " ", "{}", #"{"items":{}}"#, #"{"items":[],}"#, #"{"items":[{"portalid":"p","payload":"x"},]}"#,
            #"{"items":[{"portalid":"p","payload":"x"}],"items":[]}"#, #"{"items":[{"portalid":"p","portalid":"q"}]}"#,
            #"{"items":[{"portalid":"p","payload":"x","servertimestamp":1}]}"#, #"{"items":[{"portalid":"p"}]}"#,
            #"{"items":[{"portalid":"p","payload":"a\"b"}]}"#, #"{"items":[{"portalid":"p","payload":"\u0041"}]}"#,
            #"{"\u0069tems":[]}"#, "{\"items\":[{\"portalid\":\"p\",\"payload\":\"\u{FEFF}\"}]}",
            "{\"items\":[{\"portalid\":\"p\",\"payload\":\"a\tb\"}]}", #"{"items":[{"portalid":7,"payload":"x"}]}"#,
            #"{"items":[{"portalid":"p","payload":"x"}]} x"#, #"{"items":[{"portalid":"p","payload":"x"}]"#,
            #"{"Items":[]}"#, "\u{FEFF}{\"items\":[]}", #"{"items":[{"portalid":"p","payload":"x"}}"#,
        ]
        for body in bodies {
            #expect(plain(body) == nil, "\(body.debugDescription)")
            parity.expectSame(Array(body.utf8))
        }
        // Not UTF-8: a lone continuation byte, and an encoded surrogate.
        for bad: [UInt8] in [[0x80], [0xED, 0xA0, 0x80]] {
            let body = Array(#"{"items":[{"portalid":"p","payload":""#.utf8) + bad + Array(#""}]}"#.utf8)
            #expect(XRTCPlainSet.items(body) == nil)
            parity.expectSame(body)
        }
    }

    /// Items past the set limit are dropped, portal ids are checked in order,
    /// and the payload total is checked over what is kept, as before.
    @Test func limitsAsBefore() {
        let many = (0..<14).map { #"{"portalid":"p\#($0)","payload":"\#(String(repeating: "x", count: 120))"}"# }
        let bodies = [
            #"{"items":["# + many.joined(separator: ",") + "]}",
            #"{"items":["# + many.prefix(8).joined(separator: ",") + "]}",
            #"{"items":[{"portalid":"12345678901234567","payload":"x"}]}"#,
            #"{"items":[{"portalid":"p","payload":"x"},{"portalid":"","payload":"x"}]}"#,
            #"{"items":[{"portalid":"😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀","payload":"x"}]}"#,
        ]
        for body in bodies {
            #expect(plain(body) != nil)
            parity.expectSame(Array(body.utf8))
        }
    }

    @Test func randomPlainBodies() {
        var rng = ParityRandom(seed: 20_261_203)
        var taken = 0
        for _ in 0..<3000 {
            var body = Array(rng.plainSet().utf8)
            if rng.below(6) == 0, !body.isEmpty {  // break it
                let noise = Array(#"{}[],:" \-0x"#.utf8) + [0x80, 0xEF, 0x09]
                body[rng.below(body.count)] = noise[rng.below(noise.count)]
            }
            if XRTCPlainSet.items(body) != nil { taken += 1 }
            parity.expectSame(body)
        }
        #expect(taken > 1000)
    }
}

extension ParityRandom {
    mutating func space() -> String {
        below(3) == 0 ? pick([" ", "\n", "\t", "\r\n", "  "]) : ""
    }

    /// Mostly strings the one-pass reader takes; now and then one it leaves.
    mutating func plainString() -> String {
        if below(40) == 0 { return pick(["\"\\n\"", "\"\u{FEFF}\"", "\"a\\\"b\"", "\"\\u00e9\"", "7", "null"]) }
        let pieces = ["p", "cam", "x y", "é", "e\u{301}", "😀", "", "1234567890123456", "12345678901234567"]
        return "\"" + (0..<below(3)).map { _ in pick(pieces) }.joined() + "\""
    }

    mutating func plainSet() -> String {
        let items = (0..<below(14)).map { _ -> String in
            var members = [
                space() + "\"portalid\"" + space() + ":" + space() + plainString() + space(),
                space() + "\"payload\"" + space() + ":" + space() + plainString() + space(),
            ]
            if below(2) == 0 { members.reverse() }
            return space() + "{" + members.joined(separator: ",") + "}" + space()
        }
        return space() + "{" + space() + "\"items\"" + space() + ":" + space() + "[" + items.joined(separator: ",") + "]" + space() + "}" + space()
    }
}
