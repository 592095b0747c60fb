/// A request's header fields: lowercased names with their values, in the order
/// they were read. Lookups are case-insensitive and need no hashing, which is
/// the cheap choice for the handful of headers a request carries.
///
/// ```swift
/// let headers: HTTPHeaders = ["content-type": "application/json", "cookie": "a=1"]
/// headers["Content-Type"]            // "application/json"
/// for (name, value) in headers { print(name, value) }
/// ```
public struct HTTPHeaders: Sendable, Sequence, ExpressibleByDictionaryLiteral {
    /// One field: a lowercased name and its value.
    public typealias Element = (name: String, value: String)

    private var fields: [Element]

    /// No fields.
    ///
    /// ```swift
    /// var headers = HTTPHeaders()
    /// headers.add("X-Trace", "abc")
    /// ```
    public init() {
        fields = []
    }

    /// Fields from a literal; names are lowercased.
    ///
    /// ```swift
    /// let headers: HTTPHeaders = ["Cookie": "JSESSIONID=abc"]
    /// ```
    public init(dictionaryLiteral elements: (String, String)...) {
        fields = elements.map { (name: $0.0.lowercased(), value: $0.1) }
    }

    /// Appends a field (the name is lowercased). A name already present keeps
    /// its first value for lookups.
    ///
    /// ```swift
    /// headers.add("Content-Type", "text/plain")
    /// ```
    public mutating func add(_ name: String, _ value: String) {
        fields.append((name: name.lowercased(), value: value))
    }

    /// Appends a field whose name is already lowercase (the server's path).
    mutating func add(lowercased name: String, _ value: String) {
        fields.append((name: name, value: value))
    }

    mutating func reserveCapacity(_ n: Int) {
        fields.reserveCapacity(n)
    }

    /// The value of header `name`, matched case-insensitively; `nil` when absent.
    ///
    /// ```swift
    /// request.headers["content-length"]  // "42"
    /// ```
    public subscript(name: String) -> String? {
        for field in fields where Self.equalsIgnoringASCIICase(field.name, name) {
            return field.value
        }
        return nil
    }

    /// How many fields there are.
    public var count: Int { fields.count }

    /// Whether there are none.
    public var isEmpty: Bool { fields.isEmpty }

    public func makeIterator() -> IndexingIterator<[Element]> {
        fields.makeIterator()
    }

    /// `stored` is lowercase already; `name` may be in any case.
    static func equalsIgnoringASCIICase(_ stored: String, _ name: String) -> Bool {
        guard stored.utf8.count == name.utf8.count else { return false }
        var a = stored.utf8.makeIterator()
        var b = name.utf8.makeIterator()
        while true {
            switch (a.next(), b.next()) {
            case (nil, nil):
                return true
            case (let x?, let y?):
                let lowered = y &- 0x41 < 26 ? y | 0x20 : y
                if x != lowered { return false }
            default:
                return false
            }
        }
    }
}
