import CSimdJSON

/// Reads a fixed set of fields from JSON documents without building them,
/// with simdjson On-Demand: each `read` parses a document once and answers
/// every path.
///
/// ```swift
/// let reader = try JSONFieldReader(paths: [JSONPath("level"), JSONPath("a.b")])
/// try reader.read(Array(#"{"level":"alert","a":{"b":5}}"#.utf8))
/// reader[0].string   // "alert"
/// reader[1].number   // 5
/// ```
///
/// Not thread-safe: one reader per serial queue. The document is validated as
/// far as it is read (its structure and UTF-8 throughout, and every value
/// looked at), which is what makes it fast.
public final class JSONFieldReader {
    /// The paths answered by `subscript`, in order.
    public let paths: [JSONPath]
    private let parser: OpaquePointer
    private let pointers: UnsafeMutablePointer<jsx_string>
    private let pointerBytes: UnsafeMutablePointer<CChar>
    @usableFromInline let values: UnsafeMutablePointer<jsx_value>
    @usableFromInline let count: Int

    /// A reader for `paths`.
    /// - Throws: `JSONError` when the parser cannot be allocated.
    public init(paths: [JSONPath]) throws(JSONError) {
        guard let parser = jsx_parser_new() else { throw JSONError("out of memory allocating a JSON parser") }
        self.parser = parser
        self.paths = paths
        let texts = paths.map { Array($0.pointer.utf8) }
        let total = texts.reduce(0) { $0 + $1.count }
        pointerBytes = .allocate(capacity: max(total, 1))
        pointers = .allocate(capacity: max(paths.count, 1))
        values = .allocate(capacity: max(paths.count, 1))
        count = paths.count
        var offset = 0
        for (i, text) in texts.enumerated() {
            let start = pointerBytes + offset
            text.withUnsafeBufferPointer { buf in
                buf.withMemoryRebound(to: CChar.self) { start.update(from: $0.baseAddress!, count: $0.count) }
            }
            pointers[i] = jsx_string(data: start, length: text.count)
            values[i] = jsx_value(kind: .JSX_MISSING, number: 0, data: nil, length: 0)
            offset += text.count
        }
    }

    deinit {
        jsx_parser_free(parser)
        pointerBytes.deallocate()
        pointers.deallocate()
        values.deallocate()
    }

    /// Parses `json` and answers every path; the answers stay valid until the next call.
    /// - Throws: `JSONError` when the document is not valid JSON.
    @inlinable public func read(_ json: [UInt8]) throws(JSONError) {
        let ok = json.withUnsafeBytes { read(raw: $0) }
        if !ok { throw JSONError("invalid JSON: " + lastError) }
    }

    /// Parses `json`; false when it is not valid JSON (see `lastError`).
    public func read(raw json: UnsafeRawBufferPointer) -> Bool {
        let base = json.baseAddress?.assumingMemoryBound(to: UInt8.self)
        let status = jsx_read(parser, base, json.count, pointers, paths.count, values)
        if status == .JSX_OK { return true }
        for i in 0..<paths.count { values[i] = jsx_value(kind: .JSX_MISSING, number: 0, data: nil, length: 0) }
        return false
    }

    /// Why the last document was not valid JSON.
    public var lastError: String { String(cString: jsx_parser_error(parser)) }

    /// The answer for `paths[index]` from the last `read`.
    @inlinable public subscript(index: Int) -> JSONField { field(index) }

    @inlinable func field(_ index: Int) -> JSONField {
        precondition(index >= 0 && index < count, "JSONFieldReader index out of range")
        return JSONField(values[index])
    }
}
