/// A path to a value inside a JSON document, written with dots: `a.b.c`,
/// `items.0.id`. The empty path is the whole document.
///
/// A component made of digits indexes an array when the value there is an
/// array, and names an object key otherwise. Keys that contain a dot cannot
/// be addressed.
///
/// ```swift
/// let path = JSONPath("user.name")
/// path.pointer   // "/user/name"
/// ```
public struct JSONPath: Sendable, Hashable, CustomStringConvertible {
    /// The keys (or indexes) from the root.
    public let components: [String]

    /// Parses a dotted path; `""` is the root.
    public init(_ dotted: String) {
        components = dotted.isEmpty ? [] : dotted.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    }

    /// A path from its components.
    public init(components: [String]) { self.components = components }

    /// True for the whole document.
    public var isRoot: Bool { components.isEmpty }

    /// True when a component is empty (`a..b`, `.a`, `a.`).
    public var hasEmptyComponent: Bool { components.contains { $0.isEmpty } }

    /// The RFC 6901 JSON pointer (`/a/b`, with `~` and `/` escaped).
    public var pointer: String {
        var s = ""
        for c in components {
            s += "/"
            for ch in c {
                switch ch {
                case "~": s += "~0"
                case "/": s += "~1"
                default: s.append(ch)
                }
            }
        }
        return s
    }

    /// The path without its last component (the root stays the root).
    public var parent: JSONPath { JSONPath(components: Array(components.dropLast())) }

    public var description: String { components.joined(separator: ".") }
}
