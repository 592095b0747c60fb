/// A whole JSON document as a Swift value, built by `JSONValue.parse` (simdjson,
/// with Foundation's `JSONSerialization` as the authority for what simdjson
/// does not take as is).
///
/// Objects keep their members in document order, duplicates included; the
/// key subscript answers the *last* member of that name, as
/// `JSONSerialization`, jq and JavaScript do. Numbers are doubles.
///
/// ```swift
/// let body = try JSONValue.parse(Array(#"{"items":[{"portalid":"p","payload":"x"}],"n":5}"#.utf8))
/// body["items"]?[0]?["portalid"]?.stringValue   // "p"
/// body["n"]?.numberValue                        // 5.0
/// body["n"]?.isInteger                          // true
/// body["missing"]                               // nil
/// ```
public enum JSONValue: Sendable {
    /// `null`
    case null
    /// `true` or `false`
    case bool(Bool)
    /// A number.
    case number(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object's members in document order, duplicate keys included.
    case object([(key: String, value: JSONValue)])
}

extension JSONValue {
    /// The kind of value.
    public var kind: JSONKind {
        switch self {
        case .null: return .null
        case .bool: return .bool
        case .number: return .number
        case .string: return .string
        case .array: return .array
        case .object: return .object
        }
    }

    /// Whether this is `null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The boolean, or nil for anything else (numbers are not booleans).
    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The number, or nil for anything else (booleans are not numbers).
    public var numberValue: Double? {
        if case .number(let d) = self { return d }
        return nil
    }

    /// Whether this is a number without a fractional part (`5`, `5.0`, `5e3`).
    public var isInteger: Bool {
        guard case .number(let d) = self else { return false }
        return d.isFinite && d.rounded(.towardZero) == d
    }

    /// The number as an `Int64` when it is an integer in `Int64`'s range, else nil.
    public var int64Value: Int64? {
        guard isInteger, case .number(let d) = self else { return nil }
        return Int64(exactly: d)
    }

    /// The string, or nil for anything else.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The elements, or nil for anything but an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The members in document order, or nil for anything but an object.
    public var objectValue: [(key: String, value: JSONValue)]? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// The value of the last member named `key` (Swift `String` equality), or
    /// nil when there is none or this is not an object.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        var i = members.count
        while i > 0 {
            i -= 1
            if members[i].key == key { return members[i].value }
        }
        return nil
    }

    /// Every member named `key`, in document order (empty for a non-object).
    public func values(forKey key: String) -> [JSONValue] {
        guard case .object(let members) = self else { return [] }
        return members.compactMap { $0.key == key ? $0.value : nil }
    }

    /// The element at `index`, or nil when out of range or this is not an array.
    public subscript(index: Int) -> JSONValue? {
        guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }
}

extension JSONValue: Equatable {
    /// Same kind and same contents; object members compare in order, keys and
    /// strings as Swift strings, numbers as doubles.
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            guard a.count == b.count else { return false }
            for i in a.indices where a[i].key != b[i].key || a[i].value != b[i].value { return false }
            return true
        default: return false
        }
    }
}

extension JSONValue: CustomStringConvertible {
    /// Compact JSON text (integers up to 2^53 without a fraction): for logs,
    /// and for small documents Junction writes itself (RTM messages, recording lines).
    public var description: String {
        var out = ""
        write(to: &out)
        return out
    }

    private func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let d):
            if d.isFinite, d.rounded(.towardZero) == d, abs(d) <= 9_007_199_254_740_992, !(d == 0 && d.sign == .minus) {
                out += String(Int64(d))
            } else {
                out += "\(d)"
            }
        case .string(let s): Self.quote(s, into: &out)
        case .array(let elements):
            out += "["
            for (i, e) in elements.enumerated() {
                if i > 0 { out += "," }
                e.write(to: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (i, m) in members.enumerated() {
                if i > 0 { out += "," }
                Self.quote(m.key, into: &out)
                out += ":"
                m.value.write(to: &out)
            }
            out += "}"
        }
    }

    private static func quote(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{0}"..."\u{1F}":
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
