import Foundation
import Junction
import JunctionJSON

/// A condition on the JSON fields of a message, as written in routes.yaml.
///
/// ```yaml
/// where: {field: level, equals: alert}
/// where:
///   all:
///     - {field: portalid, regex: "^p1"}
///     - any: [{field: seq, gte: 100}, {not: {field: debug, exists: true}}]
/// ```
///
/// Fields are dotted paths (`a.b.c`, `items.0`). Several operators on one
/// field must all hold (`{field: n, gt: 1, lt: 5}`).
public indirect enum Predicate: Sendable, Equatable, ConfigDescribable, CustomStringConvertible {
    /// One comparison on one field.
    case test(field: String, Comparison)
    /// Every predicate holds.
    case all([Predicate])
    /// At least one predicate holds.
    case any([Predicate])
    /// The predicate does not hold.
    case not(Predicate)

    /// Every field path read, in first-use order, without repeats.
    public var fields: [String] {
        var seen = Set<String>()
        var out: [String] = []
        func walk(_ p: Predicate) {
            switch p {
            case let .test(field, _): if seen.insert(field).inserted { out.append(field) }
            case let .all(list), let .any(list): list.forEach(walk)
            case let .not(inner): walk(inner)
            }
        }
        walk(self)
        return out
    }

    public static var configTypeName: String { "predicate" }
    public var configDescription: String { description }

    public var description: String {
        switch self {
        case let .test(field, c): return "\(field) \(c)"
        case let .all(list): return "(" + list.map(\.description).joined(separator: " and ") + ")"
        case let .any(list): return "(" + list.map(\.description).joined(separator: " or ") + ")"
        case let .not(inner): return "not \(inner)"
        }
    }
}

/// What a predicate checks about one field.
///
/// Strings compare as strings and numbers numerically (`equals: 5` matches 5
/// and 5.0), booleans as booleans, `null` only matches null. A missing field
/// equals nothing, so `not_equals` holds for it. Ordering operators hold only
/// for numbers; `regex` only for strings (an unanchored search).
public enum Comparison: Sendable, Equatable, CustomStringConvertible {
    /// `equals: v`
    case equals(ScalarLiteral)
    /// `not_equals: v` (holds for a missing field)
    case notEquals(ScalarLiteral)
    /// `in: [a, b]`
    case oneOf([ScalarLiteral])
    /// `exists: true|false` (null exists)
    case exists(Bool)
    /// `regex: "^p1"` (ICU syntax, unanchored search, strings only)
    case matches(String)
    /// `gt: n`
    case greaterThan(Double)
    /// `gte: n`
    case atLeast(Double)
    /// `lt: n`
    case lessThan(Double)
    /// `lte: n`
    case atMost(Double)

    public var description: String {
        switch self {
        case let .equals(v): return "== \(v)"
        case let .notEquals(v): return "!= \(v)"
        case let .oneOf(list): return "in [" + list.map(\.description).joined(separator: ", ") + "]"
        case let .exists(b): return b ? "exists" : "does not exist"
        case let .matches(r): return "=~ /\(r)/"
        case let .greaterThan(n): return "> \(n)"
        case let .atLeast(n): return ">= \(n)"
        case let .lessThan(n): return "< \(n)"
        case let .atMost(n): return "<= \(n)"
        }
    }
}

/// Predicates compiled against one `JSONFieldReader`, so that one parse of a
/// message answers all of them (a `switch` evaluates every case on one parse).
///
/// ```swift
/// let set = try PredicateSet([.test(field: "level", .equals(ScalarLiteral("alert")))])
/// if set.load(message.payload) { set.evaluate(0) }
/// ```
///
/// The compiled form is flat and free of reference counting (nodes, literals
/// and their bytes in buffers allocated once), since it runs for every message.
public final class PredicateSet {
    private let reader: JSONFieldReader
    private let roots: [Int]
    private let nodes: UnsafeMutableBufferPointer<Node>
    private let children: UnsafeMutableBufferPointer<Int>
    private let literals: UnsafeMutableBufferPointer<Literal>
    private let literalBytes: UnsafeMutableRawBufferPointer
    private let regexes: [NSRegularExpression]

    /// Compiles `predicates`: every distinct field once, regexes once.
    /// - Throws: `ConfigDiagnostic` for a bad regex or field path.
    public init(_ predicates: [Predicate]) throws {
        var compiler = Compiler()
        roots = try predicates.map { try compiler.compile($0) }
        do {
            reader = try JSONFieldReader(paths: compiler.paths)
        } catch {
            throw ConfigDiagnostic(error.message)
        }
        nodes = .allocate(capacity: max(compiler.nodes.count, 1))
        _ = nodes.initialize(from: compiler.nodes)
        children = .allocate(capacity: max(compiler.children.count, 1))
        _ = children.initialize(from: compiler.children)
        literals = .allocate(capacity: max(compiler.literals.count, 1))
        _ = literals.initialize(from: compiler.literals)
        literalBytes = .allocate(byteCount: max(compiler.bytes.count, 1), alignment: 1)
        literalBytes.copyBytes(from: compiler.bytes)
        regexes = compiler.regexes
    }

    deinit {
        nodes.deallocate()
        children.deallocate()
        literals.deallocate()
        literalBytes.deallocate()
    }

    /// Parses `payload` for the next `evaluate` calls; false when it is not valid JSON.
    public func load(_ payload: [UInt8]) -> Bool {
        payload.withUnsafeBytes { reader.read(raw: $0) }
    }

    /// Parses raw payload bytes for the next `evaluate` calls; false when they are not valid JSON.
    public func load(raw payload: UnsafeRawBufferPointer) -> Bool {
        reader.read(raw: payload)
    }

    /// Why the last `load` failed.
    public var lastError: String { reader.lastError }

    /// Whether predicate `index` holds for the last loaded payload.
    public func evaluate(_ index: Int) -> Bool { holds(roots[index]) }

    private func holds(_ index: Int) -> Bool {
        let node = nodes[index]
        switch node.op {
        case .test: return test(node.test, reader[node.slot])
        case .all:
            for i in node.children where !holds(children[i]) { return false }
            return true
        case .any:
            for i in node.children where holds(children[i]) { return true }
            return false
        case .not: return !holds(children[node.children.lowerBound])
        }
    }

    private func test(_ t: Test, _ f: JSONField) -> Bool {
        switch t {
        case let .equals(l): return matches(l, f)
        case let .notEquals(l): return !matches(l, f)
        case let .oneOf(range):
            for l in range where matches(l, f) { return true }
            return false
        case let .exists(b): return f.exists == b
        case let .matches(r):
            guard let s = f.string else { return false }
            return regexes[r].firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
        case let .greaterThan(n): return f.kind == .number && f.number > n
        case let .atLeast(n): return f.kind == .number && f.number >= n
        case let .lessThan(n): return f.kind == .number && f.number < n
        case let .atMost(n): return f.kind == .number && f.number <= n
        }
    }

    private func matches(_ index: Int, _ f: JSONField) -> Bool {
        let l = literals[index]
        switch f.kind {
        case nil, .array, .object: return false
        case .string:
            return !l.isNull && f.stringEquals(UnsafeRawBufferPointer(rebasing: literalBytes[l.offset..<(l.offset + l.count)]))
        case .number: return l.hasNumber && l.number == f.number
        case .bool: return l.bool == (f.bool ? 1 : 0)
        case .null: return l.isNull
        }
    }

    private struct Node {
        enum Op { case test, all, any, not }
        var op: Op
        var slot = 0
        var test = Test.exists(true)
        /// Indices into `children`.
        var children: Range<Int> = 0..<0
    }

    private enum Test {
        case equals(Int)
        case notEquals(Int)
        case oneOf(Range<Int>)
        case exists(Bool)
        case matches(Int)
        case greaterThan(Double)
        case atLeast(Double)
        case lessThan(Double)
        case atMost(Double)
    }

    /// A literal prepared for comparing with any kind of field; its text is
    /// `count` bytes at `offset` in `literalBytes`.
    private struct Literal {
        var offset: Int
        var count: Int
        var number: Double
        var hasNumber: Bool
        /// 1 true, 0 false, -1 not a boolean.
        var bool: Int8
        var isNull: Bool
    }

    private struct Compiler {
        var slots: [String: Int] = [:]
        var paths: [JSONPath] = []
        var nodes: [Node] = []
        var children: [Int] = []
        var literals: [Literal] = []
        var bytes: [UInt8] = []
        var regexes: [NSRegularExpression] = []

        mutating func compile(_ p: Predicate) throws -> Int {
            switch p {
            case let .test(field, c):
                let slot = try self.slot(field)
                let test: Test
                switch c {
                case let .equals(v): test = .equals(literal(v))
                case let .notEquals(v): test = .notEquals(literal(v))
                case let .oneOf(list):
                    let start = literals.count
                    for v in list { _ = literal(v) }
                    test = .oneOf(start..<literals.count)
                case let .exists(b): test = .exists(b)
                case let .matches(pattern):
                    regexes.append(try PredicateSet.regex(pattern))
                    test = .matches(regexes.count - 1)
                case let .greaterThan(n): test = .greaterThan(n)
                case let .atLeast(n): test = .atLeast(n)
                case let .lessThan(n): test = .lessThan(n)
                case let .atMost(n): test = .atMost(n)
                }
                nodes.append(Node(op: .test, slot: slot, test: test))
                return nodes.count - 1
            case let .all(list): return try combine(.all, list)
            case let .any(list): return try combine(.any, list)
            case let .not(inner): return try combine(.not, [inner])
            }
        }

        mutating func combine(_ op: Node.Op, _ list: [Predicate]) throws -> Int {
            let compiled = try list.map { try compile($0) }
            let start = children.count
            children.append(contentsOf: compiled)
            nodes.append(Node(op: op, children: start..<children.count))
            return nodes.count - 1
        }

        mutating func slot(_ field: String) throws -> Int {
            if let s = slots[field] { return s }
            let path = JSONPath(field)
            if path.isRoot || path.hasEmptyComponent {
                throw ConfigDiagnostic("invalid field path '\(field)'", hint: "use dotted keys such as 'level' or 'user.name'")
            }
            slots[field] = paths.count
            paths.append(path)
            return paths.count - 1
        }

        mutating func literal(_ s: ScalarLiteral) -> Int {
            let utf8 = Array(s.text.utf8)
            literals.append(Literal(
                offset: bytes.count, count: utf8.count,
                number: s.number ?? 0, hasNumber: s.number != nil,
                bool: s.bool.map { $0 ? 1 : 0 } ?? -1, isNull: s.isNull
            ))
            bytes.append(contentsOf: utf8)
            return literals.count - 1
        }
    }

    /// Compiles a regex, or throws a `ConfigDiagnostic` that says why not.
    static func regex(_ pattern: String) throws -> NSRegularExpression {
        do {
            return try NSRegularExpression(pattern: pattern)
        } catch {
            throw ConfigDiagnostic("invalid regex '\(pattern)'", hint: "use ICU regular expression syntax, e.g. '^p1[0-9]+'")
        }
    }
}
