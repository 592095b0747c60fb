import Junction

/// A YAML mapping that keeps its keys in file order (`rename:`, `set:`).
///
/// ```yaml
/// set: {source: junction, "meta.copy": "{{id}}"}
/// ```
public struct ConfigMap<Value: Decodable & Sendable>: Decodable, Sendable, ConfigDescribable {
    /// One `key: value` pair.
    public struct Entry: Sendable {
        /// The key, as written.
        public var key: String
        /// Its value.
        public var value: Value
    }

    /// The pairs in file order.
    public var entries: [Entry]

    /// A map from pairs.
    public init(_ pairs: [(String, Value)] = []) { entries = pairs.map { Entry(key: $0.0, value: $0.1) } }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: ConfigKey.self)
        entries = try container.allKeys.map { Entry(key: $0.stringValue, value: try container.decode(Value.self, forKey: $0)) }
    }

    /// True without pairs.
    public var isEmpty: Bool { entries.isEmpty }

    public static var configTypeName: String { "mapping" }
    public var configDescription: String {
        entries.isEmpty ? "{}" : "{" + entries.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
    }
}
