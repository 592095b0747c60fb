import Foundation

/// JSON reading and writing for the XRTC wire format.
enum XRTCJSON {
    /// Parses a request body; a body that is empty or only whitespace is `[:]`.
    static func object(_ body: [UInt8]) throws(XRTCError) -> [String: Any] {
        if body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return [:] }
        guard let value = try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]) else {
            throw .values("Invalid arguments: the body is not valid JSON")
        }
        guard let object = value as? [String: Any] else { throw .values("Invalid arguments: the body must be a JSON object") }
        return object
    }

    /// Throws errorcode 20 naming the first key not in `allowed`.
    static func checkNames(_ object: [String: Any], allowed: Set<String>, in place: String) throws(XRTCError) {
        if let bad = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw .names("Invalid arguments: unknown argument '\(bad)' in \(place)")
        }
    }

    /// Whether a parsed JSON value is `true` or `false` (Foundation boxes them as NSNumber).
    static func isBool(_ value: Any) -> Bool {
        guard let n = value as? NSNumber else { return false }
        return String(cString: n.objCType) == "c"
    }

    /// An integer, accepting JSON numbers without a fraction.
    static func integer(_ value: Any) -> Int64? {
        guard let n = value as? NSNumber, !isBool(value) else { return nil }
        let d = n.doubleValue
        guard d.rounded() == d, abs(d) < 9.0e15 else { return nil }
        return Int64(d)
    }

    /// A JSON string literal with escapes.
    static func quoted(_ s: String) -> [UInt8] {
        var out: [UInt8] = [0x22]
        out.reserveCapacity(s.utf8.count + 2)
        for b in s.utf8 {
            switch b {
            case 0x22: out += [0x5C, 0x22]
            case 0x5C: out += [0x5C, 0x5C]
            case 0x0A: out += [0x5C, 0x6E]
            case 0x0D: out += [0x5C, 0x72]
            case 0x09: out += [0x5C, 0x74]
            case 0..<0x20:
                out += Array(String(format: "\\u%04x", b).utf8)
            default: out.append(b)
            }
        }
        out.append(0x22)
        return out
    }
}
