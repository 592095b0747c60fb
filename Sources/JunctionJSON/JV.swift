import CJQ

/// Small helpers over libjq's `jv` values.
///
/// Ownership follows libjq: every `jv_*` function consumes (frees) its `jv`
/// arguments and returns an owned result, except `jv_copy`, `jv_get_kind`,
/// `jv_string_value` and the object iterators. Helpers here say which
/// arguments they consume.
enum JV {
    /// An owned jv string from UTF-8 text.
    static func string(_ s: String) -> jv {
        var s = s
        return s.withUTF8 { buf -> jv in
            guard let base = buf.baseAddress, buf.count > 0 else { return jv_string("") }
            return base.withMemoryRebound(to: CChar.self, capacity: buf.count) { jv_string_sized($0, Int32(buf.count)) }
        }
    }

    /// The bytes of a jv string (does not consume).
    static func bytes(ofString v: jv) -> [UInt8] {
        let count = Int(jv_string_length_bytes(jv_copy(v)))
        guard count > 0, let p = jv_string_value(v) else { return [] }
        return [UInt8](unsafeUninitializedCapacity: count) { out, initialized in
            UnsafeMutableRawPointer(out.baseAddress!).copyMemory(from: p, byteCount: count)
            initialized = count
        }
    }

    /// Appends the bytes of a jv string (does not consume).
    static func append(string v: jv, to buffer: inout [UInt8]) {
        let count = Int(jv_string_length_bytes(jv_copy(v)))
        guard count > 0, let p = jv_string_value(v) else { return }
        buffer.append(contentsOf: UnsafeRawBufferPointer(start: p, count: count))
    }

    /// A jv string as a Swift string (does not consume).
    static func text(ofString v: jv) -> String { String(decoding: bytes(ofString: v), as: UTF8.self) }

    /// Compact JSON text of `v` (consumes it).
    static func dump(_ v: jv) -> [UInt8] {
        let s = jv_dump_string(v, 0)
        defer { jv_free(s) }
        return bytes(ofString: s)
    }

    /// Appends compact JSON text of `v` (consumes it).
    static func append(dumping v: jv, to buffer: inout [UInt8]) {
        let s = jv_dump_string(v, 0)
        append(string: s, to: &buffer)
        jv_free(s)
    }

    /// A message from any jv (consumes it): strings as they are, invalid values
    /// by their message, anything else as JSON.
    static func message(_ v: jv) -> String {
        switch jv_get_kind(v) {
        case JV_KIND_STRING:
            defer { jv_free(v) }
            return text(ofString: v)
        case JV_KIND_INVALID:
            let msg = jv_invalid_get_msg(v)
            if jv_get_kind(msg) == JV_KIND_NULL {
                jv_free(msg)
                return "unknown error"
            }
            return message(msg)
        default:
            return String(decoding: dump(v), as: UTF8.self)
        }
    }

    /// Parses JSON bytes into an owned jv (invalid with a message on error).
    ///
    /// libjq 1.6 echoes the input into its error message with `%s`, so the
    /// text is copied with a terminating NUL first.
    static func parse(_ bytes: UnsafeRawBufferPointer, scratch: inout [CChar]) -> jv {
        let n = bytes.count
        guard n < Int(Int32.max) else { return jv_invalid_with_msg(jv_string("document too large")) }
        if scratch.count < n + 1 { scratch = [CChar](repeating: 0, count: max(n + 1, scratch.count * 2, 256)) }
        return scratch.withUnsafeMutableBytes { dst -> jv in
            if n > 0, let src = bytes.baseAddress { dst.baseAddress!.copyMemory(from: src, byteCount: n) }
            dst[n] = 0
            return jv_parse_sized(dst.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(n))
        }
    }

    /// libjq's parse error without the echoed input.
    static func parseErrorMessage(_ invalid: jv) -> String {
        let text = Array(message(invalid).utf8)
        let marker = Array(" (while parsing '".utf8)
        if text.count >= marker.count {
            for i in 0...(text.count - marker.count) where text[i] == marker[0] && Array(text[i..<(i + marker.count)]) == marker {
                return String(decoding: text[..<i], as: UTF8.self)
            }
        }
        return String(decoding: text, as: UTF8.self)
    }

    static func kind(_ v: jv) -> JSONKind? {
        switch jv_get_kind(v) {
        case JV_KIND_NULL: return .null
        case JV_KIND_TRUE, JV_KIND_FALSE: return .bool
        case JV_KIND_NUMBER: return .number
        case JV_KIND_STRING: return .string
        case JV_KIND_ARRAY: return .array
        case JV_KIND_OBJECT: return .object
        default: return nil
        }
    }
}
