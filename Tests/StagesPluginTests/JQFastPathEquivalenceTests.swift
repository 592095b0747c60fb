import JunctionJSON
import Testing

/// The jq fast paths (simdjson in front of libjq's parser, a direct writer
/// instead of `jv_dump_string`) must give byte-identical results to libjq's
/// own parse-and-dump, which `JSONDocument` uses.
@Suite struct JQFastPathEquivalenceTests {
    func reference(_ s: String) -> String? {
        (try? JSONDocument(parsing: Array(s.utf8)))?.text
    }

    func viaProgram(_ p: JQProgram, _ bytes: [UInt8]) -> String? {
        guard case let .success(outputs) = p.run(bytes), outputs.count == 1 else { return nil }
        return String(decoding: outputs[0], as: UTF8.self)
    }

    @Test func corpus() throws {
        let p = try JQProgram(".")
        let docs = [
            "0", "-0", "-0.0", "[-0, 0, -0e0, 1-0]", "1e15", "1e16", "1e17", "123456789012345678", "9007199254740993",
            "1.5", "-2.25e-3", "1e-5", "0.1", "1e400", "-1e400", "5e-324", "12345678901234567890", "123456789012345678901234567890",
            "3.0", "100", "-100", "1E2", "nan", "[nan]", "99999999999999999",
            #""plain""#, #""esc \" \\ \/ \b \f \n \r \t \u0000 \u001f \u007f \u00e9 \ud83d\ude00""#, "\"raw é 😀 \u{7f}\"",
            "\"raw\tcontrol\"", "\"bad \u{0}\"", #""\ud800 lone""#,
            #"{"a":1,"b":[true,false,null],"c":{"d":"e"},"a":2}"#, "{}", "[]", #"{"":""}"#,
            #"  {"k" : [ 1 , 2 ] }  "#, "\"2024-01-01\"", #"{"d":"x-0 y"}"#,
            String(repeating: "[", count: 150) + String(repeating: "]", count: 150),
        ]
        for doc in docs {
            let expected = reference(doc)
            #expect(viaProgram(p, Array(doc.utf8)) == expected, "\(doc)")
        }
        // Invalid UTF-8 is repaired the same way.
        let bad: [UInt8] = [0x22, 0x61, 0xFF, 0xC3, 0x22]
        #expect(viaProgram(p, bad) == (try? JSONDocument(parsing: bad))?.text)
    }

    @Test func randomDocuments() throws {
        var rng = SplitMix(seed: 42)
        let p = try JQProgram(".")
        for _ in 0..<2000 {
            let doc = randomJSON(&rng, depth: 0)
            let expected = reference(doc)
            #expect(expected != nil, "\(doc)")
            #expect(viaProgram(p, Array(doc.utf8)) == expected, "\(doc)")
        }
    }

    func randomJSON(_ rng: inout SplitMix, depth: Int) -> String {
        switch rng.next() % (depth > 3 ? 5 : 7) {
        case 0: return "null"
        case 1: return rng.next() % 2 == 0 ? "true" : "false"
        case 2:
            let forms = ["\(Int64(bitPattern: rng.next()) >> Int64(rng.next() % 64))", "\(Double(bitPattern: rng.next() & 0x7FEF_FFFF_FFFF_FFFF))",
                         "\(Double(Int64(rng.next() % 2_000_001) - 1_000_000) / 1000)", "\(rng.next() % 100)e\(Int(rng.next() % 40) - 20)"]
            return forms[Int(rng.next() % UInt64(forms.count))]
        case 3, 4:
            let alphabet: [String] = ["a", "Z", " ", "\\\"", "\\\\", "\\n", "\\u0001", "\\u007f", "é", "😀", "\\ud83d\\ude00", "-0", "\u{7f}", "/"]
            return "\"" + (0..<(rng.next() % 8)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }.joined() + "\""
        case 5:
            return "[" + (0..<(rng.next() % 5)).map { _ in randomJSON(&rng, depth: depth + 1) }.joined(separator: ",") + "]"
        default:
            return "{" + (0..<(rng.next() % 5)).map { i in "\"k\(rng.next() % 4)\":" + randomJSON(&rng, depth: depth + 1) }.joined(separator: ",") + "}"
        }
    }
}

struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
