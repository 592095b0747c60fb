import Foundation
import JunctionJSON

/// JSON reading and writing for the XRTC wire format.
///
/// Bodies are read with `JSONValue.parse` (simdjson, with Foundation's
/// `JSONSerialization` as the authority), so what is accepted and the values
/// read are those of `JSONSerialization`; duplicate keys resolve as there (the
/// last value counts).
enum XRTCJSON {
    /// Parses a request body, which must be an object; a body that is empty or
    /// only whitespace is `{}`.
    static func object(_ body: [UInt8]) throws(XRTCError) -> JSONValue {
        if body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return .object([]) }
        let value: JSONValue
        do { value = try JSONValue.parse(body) } catch { throw .values("Invalid arguments: the body is not valid JSON") }
        guard case .object = value else { throw .values("Invalid arguments: the body must be a JSON object") }
        return value
    }

    /// The first key of `object` in sorted order that `allowed` refuses; of
    /// keys that are equal as Swift strings, the first spelling (as a
    /// dictionary built from the document keeps it).
    static func firstUnknownKey(_ object: JSONValue, allowed: (String) -> Bool) -> String? {
        var first: String?
        for member in object.objectValue ?? [] where !allowed(member.key) {
            if let current = first, !(member.key < current) { continue }
            first = member.key
        }
        return first
    }

    /// Throws errorcode 20 naming the first key (in sorted order) not in `allowed`.
    /// (`place` is only built for the message.)
    static func checkNames(_ object: JSONValue, allowed: [String], in place: @autoclosure () -> String) throws(XRTCError) {
        if let bad = firstUnknownKey(object, allowed: { allowed.contains($0) }) {
            throw .names("Invalid arguments: unknown argument '\(bad)' in \(place())")
        }
    }

    /// An integer, accepting JSON numbers without a fraction (never booleans)
    /// whose magnitude is under 9e15.
    static func integer(_ value: JSONValue) -> Int64? {
        guard let n = value.int64Value, n.magnitude < 9_000_000_000_000_000 else { return nil }
        return n
    }

    /// A JSON string literal with escapes.
    static func quoted(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        appendQuoted(s, to: &out)
        return out
    }

    /// Appends `s` as a JSON string literal with escapes.
    static func appendQuoted(_ s: String, to out: inout [UInt8]) {
        out.reserveCapacity(out.count + s.utf8.count + 2)
        out.append(0x22)
        for b in s.utf8 {
            switch b {
            case 0x22, 0x5C: out.append(0x5C); out.append(b)
            case 0x0A: out.append(0x5C); out.append(0x6E)
            case 0x0D: out.append(0x5C); out.append(0x72)
            case 0x09: out.append(0x5C); out.append(0x74)
            case 0..<0x20:
                out.append(contentsOf: [0x5C, 0x75, 0x30, 0x30])  // \u00
                out.append(hexDigits[Int(b >> 4)])
                out.append(hexDigits[Int(b & 0xF)])
            default: out.append(b)
            }
        }
        out.append(0x22)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Appends `n` in decimal.
    static func appendInteger(_ n: Int64, to out: inout [UInt8]) {
        if n < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = n.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes ≥ 19 digits, right-aligned
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                count += 1
                buffer[24 - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            out.append(contentsOf: buffer[(24 - count)..<24])
        }
    }
}
