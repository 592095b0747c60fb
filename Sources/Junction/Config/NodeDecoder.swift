import Foundation
import Yams

/// Decodes `Decodable` values from a YAML node, keeping file:line:column for
/// every error and noticing keys that no decoder asked for.
///
/// ```swift
/// let session = ConfigSession(file: "routes.yaml")
/// let config = try session.decode(StdinConfig.self, from: node)
/// session.reportUnknownKeys()
/// ```
public final class ConfigSession: @unchecked Sendable {
    /// The file name used in locations.
    public let file: String
    /// Everything found so far.
    public private(set) var diagnostics: [ConfigDiagnostic] = []
    private var mappings: [String: (mapping: Node.Mapping, path: [String], accessed: Set<String>)] = [:]
    private var mappingOrder: [String] = []

    public init(file: String) { self.file = file }

    /// Records a diagnostic.
    public func report(_ diagnostic: ConfigDiagnostic) { diagnostics.append(diagnostic) }

    /// Records any error, turning foreign ones into diagnostics at `node`.
    public func report(_ error: any Error, at node: Node?) {
        switch error {
        case let d as ConfigDiagnostic:
            var d = d
            if d.location == nil, let key = d.field, case let .mapping(m)? = node, let value = m[Node(key)] {
                d.location = location(of: value)
            }
            if d.location == nil { d.location = location(of: node) }
            report(d)
        case let e as ConfigErrors:
            e.diagnostics.forEach(report)
        default:
            report(ConfigDiagnostic("\(error)", at: location(of: node)))
        }
    }

    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    /// The location of a node in this session's file.
    public func location(of node: Node?) -> ConfigLocation? {
        guard let mark = node?.mark else { return nil }
        return ConfigLocation(file: file, line: mark.line, column: mark.column)
    }

    /// Decodes `type` from `node`. Errors are thrown (and not recorded).
    public func decode<T: Decodable>(_ type: T.Type, from node: Node, path: [String] = []) throws -> T {
        try T(from: NodeDecoder(node: node, session: self, path: path))
    }

    /// Marks `key` of the mapping at `node` as known, for keys that the core reads itself (`type`).
    public func markAccessed(_ key: String, in node: Node, path: [String]) {
        guard case let .mapping(m) = node else { return }
        track(m, path: path).insert(key)
    }

    func track(_ mapping: Node.Mapping, path: [String]) -> AccessedKeys {
        AccessedKeys(session: self, id: mappingID(mapping, path: path), mapping: mapping, path: path)
    }

    private func mappingID(_ m: Node.Mapping, path: [String]) -> String {
        if let mark = m.mark { return "\(mark.line):\(mark.column)" }
        return path.joined(separator: ".")
    }

    func insertAccessed(_ key: String, id: String, mapping: Node.Mapping, path: [String]) {
        if mappings[id] == nil {
            mappings[id] = (mapping, path, [])
            mappingOrder.append(id)
        }
        mappings[id]!.accessed.insert(key)
    }

    func registerMapping(id: String, mapping: Node.Mapping, path: [String]) {
        if mappings[id] == nil {
            mappings[id] = (mapping, path, [])
            mappingOrder.append(id)
        }
    }

    /// Reports every key of every decoded mapping that nothing asked for.
    public func reportUnknownKeys() {
        for id in mappingOrder {
            guard let entry = mappings[id] else { continue }
            let known = Array(entry.accessed)
            for (keyNode, _) in entry.mapping {
                guard let key = keyNode.string, !entry.accessed.contains(key) else { continue }
                let place = entry.path.isEmpty ? "at top level" : "in '\(entry.path.joined(separator: "."))'"
                report(ConfigDiagnostic(
                    "unknown key '\(key)' \(place)",
                    at: location(of: keyNode),
                    hint: ConfigDiagnostic.suggestion(for: key, among: known, listName: "known keys")
                ))
            }
        }
        mappings.removeAll()
        mappingOrder.removeAll()
    }

    /// Sorts diagnostics by position in the file.
    public func sortedDiagnostics() -> [ConfigDiagnostic] {
        diagnostics.enumerated().sorted { a, b in
            let la = a.element.location, lb = b.element.location
            switch (la, lb) {
            case let (x?, y?): return (x.line, x.column, a.offset) < (y.line, y.column, b.offset)
            case (nil, _?): return false
            case (_?, nil): return true
            default: return a.offset < b.offset
            }
        }.map(\.element)
    }
}

struct AccessedKeys {
    let session: ConfigSession
    let id: String
    let mapping: Node.Mapping
    let path: [String]

    func insert(_ key: String) { session.insertAccessed(key, id: id, mapping: mapping, path: path) }
    func register() { session.registerMapping(id: id, mapping: mapping, path: path) }
}

/// A key of any name, for decoding maps and schema-driven configs.
public struct ConfigKey: CodingKey, Hashable, Sendable {
    public var stringValue: String
    public var intValue: Int?
    public init(_ string: String) { stringValue = string }
    public init?(stringValue: String) { self.stringValue = stringValue }
    public init?(intValue: Int) { stringValue = String(intValue); self.intValue = intValue }
}

/// Lets a `Decodable` reach the node it is decoded from (for locations).
public protocol ConfigNodeDecoder: Decoder {
    /// Where the value being decoded sits in the file.
    var location: ConfigLocation? { get }
    /// The raw YAML node.
    var node: Node { get }
    var session: ConfigSession { get }
}

extension Decoder {
    /// The file:line:column of the value being decoded, when decoding from routes.yaml.
    public var configLocation: ConfigLocation? { (self as? any ConfigNodeDecoder)?.location }

    /// Whether the value being decoded is a quoted YAML scalar (`"5"`, `'true'`): a string,
    /// whatever it spells. Plain scalars (`5`, `true`) may be read as numbers or booleans.
    public var configScalarIsQuoted: Bool {
        guard let d = self as? any ConfigNodeDecoder, case let .scalar(s) = d.node else { return false }
        return s.style == .singleQuoted || s.style == .doubleQuoted
    }
}

struct NodeDecoder: ConfigNodeDecoder {
    let node: Node
    let session: ConfigSession
    let path: [String]
    var codingPath: [any CodingKey] { path.map { ConfigKey($0) } }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(node: Node, session: ConfigSession, path: [String]) {
        // Aliases resolve to their anchored node when composed; keep the node as is.
        self.node = node
        self.session = session
        self.path = path
    }

    var location: ConfigLocation? { session.location(of: node) }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case let .mapping(mapping) = node else {
            throw mismatch(expected: "a mapping", node: node)
        }
        let accessed = session.track(mapping, path: path)
        accessed.register()
        return KeyedDecodingContainer(NodeKeyedContainer<Key>(decoder: self, mapping: mapping, accessed: accessed))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        switch node {
        case let .sequence(seq): return NodeUnkeyedContainer(decoder: self, nodes: Array(seq))
        case .scalar: return NodeUnkeyedContainer(decoder: self, nodes: [node])  // `to: out` means `to: [out]`
        default: throw mismatch(expected: "a list", node: node)
        }
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { NodeSingleValueContainer(decoder: self) }

    func mismatch(expected: String, node: Node) -> ConfigDiagnostic {
        ConfigDiagnostic("expected \(expected) for '\(path.joined(separator: "."))', found \(Self.describe(node))", at: session.location(of: node))
    }

    static func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case let .scalar(s): return s.string.isEmpty ? "nothing" : "'\(s.string)'"
        }
    }

    func child(_ node: Node, _ key: String) -> NodeDecoder { NodeDecoder(node: node, session: session, path: path + [key]) }
}

struct NodeKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: NodeDecoder
    let mapping: Node.Mapping
    let accessed: AccessedKeys
    var codingPath: [any CodingKey] { decoder.codingPath }

    var allKeys: [Key] {
        mapping.keys.compactMap { $0.string }.compactMap {
            accessed.insert($0)
            return Key(stringValue: $0)
        }
    }

    private func value(_ key: Key) -> Node? {
        accessed.insert(key.stringValue)
        return mapping[Node(key.stringValue)]
    }

    func contains(_ key: Key) -> Bool { value(key) != nil }

    func decodeNil(forKey key: Key) throws -> Bool {
        guard let v = value(key) else { return true }
        return NodeSingleValueContainer.isNull(v)
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        guard let v = value(key) else {
            throw ConfigDiagnostic(
                "missing required key '\(key.stringValue)'" + (decoder.path.isEmpty ? "" : " in '\(decoder.path.joined(separator: "."))'"),
                at: decoder.location
            )
        }
        return try T(from: decoder.child(v, key.stringValue))
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let v = value(key), !NodeSingleValueContainer.isNull(v) else { return nil }
        return try T(from: decoder.child(v, key.stringValue))
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        guard let v = value(key) else { throw ConfigDiagnostic("missing required key '\(key.stringValue)'", at: decoder.location) }
        return try decoder.child(v, key.stringValue).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        guard let v = value(key) else { throw ConfigDiagnostic("missing required key '\(key.stringValue)'", at: decoder.location) }
        return try decoder.child(v, key.stringValue).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { decoder }
    func superDecoder(forKey key: Key) throws -> any Decoder {
        guard let v = value(key) else { throw ConfigDiagnostic("missing required key '\(key.stringValue)'", at: decoder.location) }
        return decoder.child(v, key.stringValue)
    }
}

struct NodeUnkeyedContainer: UnkeyedDecodingContainer {
    let decoder: NodeDecoder
    let nodes: [Node]
    var currentIndex = 0
    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { nodes.count }
    var isAtEnd: Bool { currentIndex >= nodes.count }

    private mutating func next() throws -> NodeDecoder {
        guard !isAtEnd else { throw ConfigDiagnostic("list is too short for '\(decoder.path.joined(separator: "."))'", at: decoder.location) }
        defer { currentIndex += 1 }
        return decoder.child(nodes[currentIndex], "\(currentIndex)")
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, NodeSingleValueContainer.isNull(nodes[currentIndex]) else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: next()) }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next().container(keyedBy: type)
    }
    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next().unkeyedContainer() }
    mutating func superDecoder() throws -> any Decoder { try next() }
}

struct NodeSingleValueContainer: SingleValueDecodingContainer {
    let decoder: NodeDecoder
    var codingPath: [any CodingKey] { decoder.codingPath }

    static func isNull(_ node: Node) -> Bool {
        guard case let .scalar(s) = node, s.style == .plain else { return false }
        return s.string.isEmpty || s.string == "~" || s.string == "null" || s.string == "Null" || s.string == "NULL"
    }

    private func scalar(_ expected: String) throws -> String {
        guard case let .scalar(s) = decoder.node else { throw decoder.mismatch(expected: expected, node: decoder.node) }
        return s.string
    }

    func decodeNil() -> Bool { Self.isNull(decoder.node) }

    func decode(_ type: Bool.Type) throws -> Bool {
        switch try scalar("true or false").lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw decoder.mismatch(expected: "true or false", node: decoder.node)
        }
    }

    func decode(_ type: String.Type) throws -> String { try scalar("a string") }

    func decode(_ type: Double.Type) throws -> Double {
        let s = try scalar("a number").replacingOccurrences(of: "_", with: "")
        if let d = Double(s) { return d }
        switch s.lowercased() {
        case ".inf", "+.inf": return .infinity
        case "-.inf": return -.infinity
        default: throw decoder.mismatch(expected: "a number", node: decoder.node)
        }
    }

    func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }

    private func integer<I: FixedWidthInteger>(_ type: I.Type) throws -> I {
        let s = try scalar("an integer").replacingOccurrences(of: "_", with: "")
        let value: I?
        if s.hasPrefix("0x") { value = I(s.dropFirst(2), radix: 16) } else { value = I(s) }
        guard let value else { throw decoder.mismatch(expected: "an integer", node: decoder.node) }
        return value
    }

    func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: decoder) }
}
