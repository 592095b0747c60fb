import CJQ

/// Writes libjq values as compact JSON, byte for byte as `jv_dump_string(v, 0)`
/// does (libjq 1.6: insertion-ordered keys, `\b \t \n \f \r` and `\u00XX`
/// escapes for other control characters and DEL, UTF-8 kept as is), without
/// its one-call-per-character string building.
///
/// Numbers that are integers below 1e16 in magnitude are written directly;
/// every other number (fractions, huge values, -0, NaN) goes through libjq.
enum JVWriter {
    /// Appends `v` (not consumed) to `out`.
    static func write(_ v: jv, to out: inout [UInt8]) {
        switch jv_get_kind(v) {
        case JV_KIND_NULL: out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])  // null
        case JV_KIND_TRUE: out.append(contentsOf: [0x74, 0x72, 0x75, 0x65])  // true
        case JV_KIND_FALSE: out.append(contentsOf: [0x66, 0x61, 0x6C, 0x73, 0x65])  // false
        case JV_KIND_NUMBER: writeNumber(jv_number_value(v), to: &out)
        case JV_KIND_STRING: writeString(v, to: &out)
        case JV_KIND_ARRAY:
            out.append(UInt8(ascii: "["))
            let n = jv_array_length(jv_copy(v))
            var i: Int32 = 0
            while i < n {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                let element = jv_array_get(jv_copy(v), i)
                write(element, to: &out)
                jv_free(element)
                i += 1
            }
            out.append(UInt8(ascii: "]"))
        case JV_KIND_OBJECT:
            out.append(UInt8(ascii: "{"))
            var first = true
            var it = jv_object_iter(v)
            while jv_object_iter_valid(v, it) != 0 {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                let key = jv_object_iter_key(v, it)
                writeString(key, to: &out)
                jv_free(key)
                out.append(UInt8(ascii: ":"))
                let value = jv_object_iter_value(v, it)
                write(value, to: &out)
                jv_free(value)
                it = jv_object_iter_next(v, it)
            }
            out.append(UInt8(ascii: "}"))
        default:
            // An invalid value has no JSON form; libjq's dump says so its way.
            JV.append(dumping: jv_copy(v), to: &out)
        }
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    static func writeNumber(_ d: Double, to out: inout [UInt8]) {
        if d == d.rounded(.towardZero), abs(d) < 1e16, !(d == 0 && d.sign == .minus) {
            var n = Int64(d)
            if n == 0 {
                out.append(UInt8(ascii: "0"))
                return
            }
            if n < 0 {
                out.append(UInt8(ascii: "-"))
                n = -n
            }
            var digits: (UInt64, UInt64) = (0, 0)  // 16 bytes of scratch, filled from the end
            withUnsafeMutableBytes(of: &digits) { buf in
                var i = 16
                while n > 0 {
                    i -= 1
                    buf[i] = UInt8(ascii: "0") + UInt8(n % 10)
                    n /= 10
                }
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buf[i...]))
            }
            return
        }
        JV.append(dumping: jv_number(d), to: &out)
    }

    static func writeString(_ s: jv, to out: inout [UInt8]) {
        let length = Int(jv_string_length_bytes(jv_copy(s)))
        out.append(UInt8(ascii: "\""))
        guard length > 0, let base = jv_string_value(s) else {
            out.append(UInt8(ascii: "\""))
            return
        }
        let bytes = UnsafeRawBufferPointer(start: base, count: length)
        var runStart = 0
        var i = 0
        while i < length {
            let b = bytes[i]
            if b >= 0x20 && b != 0x22 && b != 0x5C && b != 0x7F {
                i += 1
                continue
            }
            if runStart < i { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart..<i])) }
            out.append(UInt8(ascii: "\\"))
            switch b {
            case 0x22: out.append(0x22)
            case 0x5C: out.append(0x5C)
            case 0x08: out.append(UInt8(ascii: "b"))
            case 0x09: out.append(UInt8(ascii: "t"))
            case 0x0A: out.append(UInt8(ascii: "n"))
            case 0x0C: out.append(UInt8(ascii: "f"))
            case 0x0D: out.append(UInt8(ascii: "r"))
            default:
                out.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(b >> 4)], hex[Int(b & 0xF)]])
            }
            i += 1
            runStart = i
        }
        if runStart < length { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart..<length])) }
        out.append(UInt8(ascii: "\""))
    }
}
