import Yams

/// The configuration of one component type, declared once: the same field
/// list decodes routes.yaml, rejects unknown keys and prints `junction plugins`.
///
/// ```swift
/// struct GenerateConfig: ComponentConfig {
///     var count = 0
///     var rate = 0.0
///     static let fields: [ConfigField<Self>] = [
///         .field("count", \.count, "Messages to emit; 0 means forever."),
///         .field("rate", \.rate, "Messages per second; 0 means as fast as possible."),
///     ]
/// }
/// ```
public protocol ComponentConfig: Decodable, Sendable {
    /// A config with every default.
    init()
    /// The documented fields.
    static var fields: [ConfigField<Self>] { get }
    /// Cross-field checks after decoding; throw `ConfigDiagnostic` for a mistake.
    func validate() throws
}

extension ComponentConfig {
    public func validate() throws {}

    public init(from decoder: any Decoder) throws {
        self.init()
        let container = try decoder.container(keyedBy: ConfigKey.self)
        let session = (decoder as? any ConfigNodeDecoder)?.session
        var firstError: (any Error)?
        for field in Self.fields {
            do {
                try field.decode(&self, container)
            } catch {
                // Collect every field's mistake when decoding from routes.yaml; throw the first otherwise.
                guard let session else { throw error }
                session.report(error, at: (decoder as? any ConfigNodeDecoder)?.node)
                firstError = firstError ?? error
            }
        }
        if let firstError { throw ConfigAlreadyReported(underlying: firstError) }
        do {
            try validate()
        } catch var d as ConfigDiagnostic {
            if d.location == nil, let key = d.field, let decoder = decoder as? any ConfigNodeDecoder,
               case let .mapping(m) = decoder.node, let value = m[Node(key)] {
                d.location = decoder.session.location(of: value)
            }
            if d.location == nil { d.location = decoder.configLocation }
            throw d
        }
    }
}

/// Thrown after every field mistake has been recorded in the session.
public struct ConfigAlreadyReported: Error {
    public var underlying: any Error
}

/// One documented config field: its key, where it lives, and how to describe its default.
public struct ConfigField<Root>: Sendable {
    /// The YAML key.
    public let key: String
    /// One line of documentation.
    public let doc: String
    /// A short type name for docs: `string`, `integer`, `duration`, …
    public let typeName: String
    /// Whether routes.yaml must give it.
    public let required: Bool
    let decodeInto: @Sendable (inout Root, KeyedDecodingContainer<ConfigKey>) throws -> Void
    let describeDefault: @Sendable (Root) -> String

    func decode(_ root: inout Root, _ container: KeyedDecodingContainer<ConfigKey>) throws {
        try decodeInto(&root, container)
    }

    /// The default value of this field in `root`, as text.
    public func defaultDescription(in root: Root) -> String { describeDefault(root) }

    /// A field decoded into `keyPath`; absent means the default from `init()`.
    public static func field<Value: Decodable & Sendable>(
        _ key: String,
        _ keyPath: any WritableKeyPath<Root, Value> & Sendable,
        _ doc: String,
        required: Bool = false
    ) -> ConfigField<Root> {
        ConfigField(
            key: key,
            doc: doc,
            typeName: configTypeName(Value.self),
            required: required,
            decodeInto: { root, container in
                let k = ConfigKey(key)
                if required {
                    root[keyPath: keyPath] = try container.decode(Value.self, forKey: k)
                } else if let v = try container.decodeIfPresent(Value.self, forKey: k) {
                    root[keyPath: keyPath] = v
                }
            },
            describeDefault: { root in describeConfigValue(root[keyPath: keyPath]) }
        )
    }

    /// An optional field: absent stays `nil`.
    public static func field<Value: Decodable & Sendable>(
        _ key: String,
        _ keyPath: any WritableKeyPath<Root, Value?> & Sendable,
        _ doc: String
    ) -> ConfigField<Root> {
        ConfigField(
            key: key,
            doc: doc,
            typeName: configTypeName(Value.self),
            required: false,
            decodeInto: { root, container in
                root[keyPath: keyPath] = try container.decodeIfPresent(Value.self, forKey: ConfigKey(key))
            },
            describeDefault: { root in root[keyPath: keyPath].map(describeConfigValue) ?? "none" }
        )
    }
}

/// Types that name themselves in `junction plugins` output.
public protocol ConfigDescribable {
    static var configTypeName: String { get }
    var configDescription: String { get }
}

func configTypeName(_ type: Any.Type) -> String {
    if let d = type as? any ConfigDescribable.Type { return d.configTypeName }
    switch type {
    case is String.Type: return "string"
    case is Int.Type, is Int64.Type, is UInt64.Type, is UInt16.Type: return "integer"
    case is Double.Type: return "number"
    case is Bool.Type: return "bool"
    case is [String].Type: return "[string]"
    case is [String: String].Type: return "{string: string}"
    default: return String(describing: type)
    }
}

func describeConfigValue(_ value: Any) -> String {
    if let d = value as? any ConfigDescribable { return d.configDescription }
    switch value {
    case let s as String: return s.isEmpty ? "\"\"" : "\"\(s)\""
    case let a as [String]: return "[" + a.joined(separator: ", ") + "]"
    case let d as [String: String]: return d.isEmpty ? "{}" : "{" + d.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
    default: return "\(value)"
    }
}

/// A string enum in routes.yaml whose wrong values get "did you mean" hints.
///
/// ```swift
/// enum Codec: String, ConfigEnum { case lines, raw, lengthDelimited = "length_delimited" }
/// ```
public protocol ConfigEnum: RawRepresentable, CaseIterable, Decodable, Sendable, ConfigDescribable where RawValue == String {}

extension ConfigEnum {
    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        guard let value = Self(rawValue: raw) else {
            let names = Self.allCases.map(\.rawValue)
            throw ConfigDiagnostic(
                "invalid value '\(raw)'",
                at: decoder.configLocation,
                hint: ConfigDiagnostic.suggestion(for: raw, among: names)
                    .map { $0.hasPrefix("did") ? $0 + " (one of: \(names.joined(separator: ", ")))" : $0 }
            )
        }
        self = value
    }

    public static var configTypeName: String { allCases.map(\.rawValue).joined(separator: "|") }
    public var configDescription: String { rawValue }
}
