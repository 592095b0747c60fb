import Foundation
import Junction
import JunctionJSON

/// Text with `{{path}}` references to fields of the JSON payload and
/// `{{meta.key}}` references to metadata; `{{.}}` is the whole payload.
///
/// A string field renders without quotes, any other value as compact JSON,
/// and a missing one as nothing.
///
/// ```swift
/// let t = try Template("{{meta.source}}: {{user.name}} said {{text}}")
/// ```
public struct Template: Sendable {
    /// A piece of the text.
    public enum Part: Sendable, Equatable {
        case literal([UInt8])
        case field(JSONPath)
        case meta(String)
    }

    /// The pieces in order.
    public let parts: [Part]

    /// Parses `text`.
    /// - Throws: `ConfigDiagnostic` for an unclosed or empty `{{ }}`.
    public init(_ text: String) throws {
        var parts: [Part] = []
        var literal: [UInt8] = []
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "{"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "{") {
                var j = i + 2
                while j + 1 < bytes.count, !(bytes[j] == UInt8(ascii: "}") && bytes[j + 1] == UInt8(ascii: "}")) { j += 1 }
                guard j + 1 < bytes.count else {
                    throw ConfigDiagnostic("unclosed '{{' in template '\(text)'", hint: "write {{field}} or {{meta.key}}")
                }
                let name = String(decoding: bytes[(i + 2)..<j], as: UTF8.self).trimmingCharacters(in: .whitespaces)
                let path = JSONPath(name == "." ? "" : name)
                if name.isEmpty || (name != "." && path.hasEmptyComponent) || name == "meta" {
                    throw ConfigDiagnostic("invalid reference '{{\(name)}}' in template '\(text)'", hint: "write {{field}}, {{a.b}}, {{meta.key}} or {{.}}")
                }
                if !literal.isEmpty {
                    parts.append(.literal(literal))
                    literal = []
                }
                if name.hasPrefix("meta.") {
                    parts.append(.meta(String(name.dropFirst(5))))
                } else {
                    parts.append(.field(path))
                }
                i = j + 2
            } else {
                literal.append(bytes[i])
                i += 1
            }
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        self.parts = parts
    }

    /// Whether any part reads the payload.
    public var usesFields: Bool {
        parts.contains { if case .field = $0 { return true } else { return false } }
    }

    /// Whether the text has any reference at all.
    public var hasReferences: Bool {
        parts.contains { if case .literal = $0 { return false } else { return true } }
    }

    /// The path when the text is exactly one `{{path}}` reference.
    public var singleField: JSONPath? {
        if parts.count == 1, case let .field(path) = parts[0] { return path }
        return nil
    }

    /// Appends the rendered text to `buffer`. `{{.}}` of a payload that is not
    /// JSON (`document` nil) is the raw `payload`.
    public func render(document: JSONDocument?, metadata: [String: String], payload: [UInt8] = [], into buffer: inout [UInt8]) {
        for part in parts {
            switch part {
            case let .literal(bytes): buffer.append(contentsOf: bytes)
            case let .field(path) where document == nil && path.isRoot: buffer.append(contentsOf: payload)
            case let .field(path): document?.appendText(at: path, to: &buffer)
            case let .meta(key): if let v = metadata[key] { buffer.append(contentsOf: v.utf8) }
            }
        }
    }
}
