import CSimdJSON
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One value read by `JSONFieldReader`: its kind and, where it has them, its
/// number, boolean or bytes.
///
/// `bytes` point into the reader's buffers and stay valid only until its next
/// `read`: copy them (`byteArray`, `string`) to keep them.
public struct JSONField {
    /// nil when nothing sits at the path.
    public let kind: JSONKind?
    /// The value of a number (0 otherwise).
    public let number: Double
    /// The value of a boolean (false otherwise).
    public let bool: Bool
    /// A string's unescaped UTF-8 bytes; a number's literal text; an array's or
    /// object's raw JSON text; empty otherwise.
    public let bytes: UnsafeRawBufferPointer

    @inlinable init(_ v: jsx_value) {
        switch v.kind {
        case .JSX_MISSING: kind = nil
        case .JSX_NULL: kind = .null
        case .JSX_FALSE, .JSX_TRUE: kind = .bool
        case .JSX_NUMBER: kind = .number
        case .JSX_STRING: kind = .string
        case .JSX_ARRAY: kind = .array
        case .JSX_OBJECT: kind = .object
        }
        number = v.number
        bool = v.kind == .JSX_TRUE
        bytes = UnsafeRawBufferPointer(start: v.data, count: v.data == nil ? 0 : v.length)
    }

    /// Whether anything sits at the path.
    @inlinable public var exists: Bool { kind != nil }

    /// True when this is a string whose bytes equal `utf8`.
    @inlinable public func stringEquals(_ utf8: [UInt8]) -> Bool {
        utf8.withUnsafeBytes { stringEquals($0) }
    }

    /// True when this is a string whose bytes equal `utf8`.
    @inlinable public func stringEquals(_ utf8: UnsafeRawBufferPointer) -> Bool {
        guard kind == .string, bytes.count == utf8.count else { return false }
        guard let a = bytes.baseAddress, let b = utf8.baseAddress else { return true }
        return memcmp(a, b, utf8.count) == 0
    }

    /// A copy of `bytes`.
    public var byteArray: [UInt8] { Array(bytes) }

    /// A string's value (nil for other kinds).
    public var string: String? { kind == .string ? String(decoding: bytes, as: UTF8.self) : nil }

    /// The value as JSON text (strings quoted and escaped), nil when missing.
    public var jsonText: String? {
        switch kind {
        case nil: return nil
        case .null: return "null"
        case .bool: return bool ? "true" : "false"
        case .string: return JSONDocument.quoted(String(decoding: bytes, as: UTF8.self))
        case .number, .array, .object: return String(decoding: bytes, as: UTF8.self)
        }
    }
}
