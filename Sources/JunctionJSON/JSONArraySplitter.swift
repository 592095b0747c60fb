import CSimdJSON

/// Splits a JSON array into the raw JSON text of its elements (bytes exactly
/// as they appear in the input), after validating the whole document.
///
/// ```swift
/// let splitter = try JSONArraySplitter()
/// try splitter.elements(of: Array(#"[1, {"a":2}]"#.utf8))   // ["1", "{\"a\":2}"] as bytes
/// ```
public final class JSONArraySplitter {
    private let parser: OpaquePointer

    /// A splitter with its own parser.
    /// - Throws: `JSONError` when the parser cannot be allocated.
    public init() throws(JSONError) {
        guard let parser = jsx_parser_new() else { throw JSONError("out of memory allocating a JSON parser") }
        self.parser = parser
    }

    deinit { jsx_parser_free(parser) }

    /// The elements of the array `json`.
    /// - Throws: `JSONError` when `json` is not valid JSON or not an array.
    public func elements(of json: [UInt8]) throws(JSONError) -> [[UInt8]] {
        var spans: UnsafePointer<jsx_string>?
        var count = 0
        let status = json.withUnsafeBytes {
            jsx_array_elements(parser, $0.baseAddress?.assumingMemoryBound(to: UInt8.self), $0.count, &spans, &count)
        }
        switch status {
        case .JSX_OK: break
        case .JSX_INVALID_JSON: throw JSONError("invalid JSON: " + String(cString: jsx_parser_error(parser)))
        case .JSX_NOT_AN_ARRAY: throw JSONError("expected a JSON array")
        case .JSX_NO_MEMORY: throw JSONError("out of memory splitting a JSON array")
        case .JSX_UNSUPPORTED: throw JSONError("cannot split this JSON array")
        }
        guard let spans else { return [] }
        var out: [[UInt8]] = []
        out.reserveCapacity(count)
        for i in 0..<count {
            let s = spans[i]
            out.append(Array(UnsafeRawBufferPointer(start: s.data, count: s.length)))
        }
        return out
    }
}
