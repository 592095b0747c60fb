import Foundation
import Junction
import JunctionJSON

/// A YAML scalar from routes.yaml (`alert`, `5`, `true`, `null`), kept as
/// text and read as whatever the comparison or JSON edit needs.
///
/// A plain `5` compares equal to the number 5 and to the string "5"; a quoted
/// `"5"` is a string and equals only the string "5" (likewise `true`/`"true"`).
/// Only an unquoted `null` or `~` (or nothing) is null.
public struct ScalarLiteral: Decodable, Sendable, Hashable, ConfigDescribable, CustomStringConvertible {
    /// The scalar's text ("" for null).
    public var text: String
    /// True for `null`, `~` or an empty value.
    public var isNull: Bool
    /// True for a quoted scalar: a string, never a number or a boolean.
    public var isQuoted = false

    /// A literal with `text`.
    public init(_ text: String) {
        self.text = text
        isNull = false
    }

    /// The null literal.
    public static let null: ScalarLiteral = {
        var n = ScalarLiteral("")
        n.isNull = true
        return n
    }()

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
            return
        }
        do {
            self.init(try container.decode(String.self))
            isQuoted = decoder.configScalarIsQuoted
        } catch {
            throw ConfigDiagnostic("expected a scalar (string, number, boolean or null)", at: decoder.configLocation)
        }
    }

    /// The number this text spells (`5`, `-2.5`, `1e3`), or nil.
    public var number: Double? {
        guard !isNull, !isQuoted, let first = text.unicodeScalars.first,
              first == "-" || first == "+" || first == "." || ("0"..."9").contains(first),
              let d = Double(text.replacingOccurrences(of: "_", with: "")), d.isFinite
        else { return nil }
        return d
    }

    /// `true`/`false` (any capitalisation of those words), or nil.
    public var bool: Bool? {
        guard !isNull, !isQuoted else { return nil }
        switch text.lowercased() {
        case "true": return true
        case "false": return false
        default: return nil
        }
    }

    /// The JSON scalar this literal most plausibly means: null, a boolean, a
    /// number, else a string.
    public var jsonScalar: JSONScalar {
        if isNull { return .null }
        if let b = bool { return .bool(b) }
        if let n = number { return .number(n) }
        return .string(text)
    }

    public static var configTypeName: String { "scalar" }
    public var configDescription: String { description }
    public var description: String { isNull ? "null" : text }
}
