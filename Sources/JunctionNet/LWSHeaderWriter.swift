import CWebSockets

/// Adds `name: value` headers through `lws_add_http_header_by_name`, which
/// wants `"name:"` and the value as C strings: both are built in one reused
/// scratch buffer. Service thread only (responses, and client handshakes).
///
/// ```swift
/// var writer = LWSHeaderWriter()
/// guard writer.add(wsi, "x-request-id", id, &p, end) else { return -1 }
/// ```
struct LWSHeaderWriter {
    /// `name:\0value\0`, reused.
    private var scratch: [UInt8] = []

    /// Writes one header at `p`, moving it on; `false` when it does not fit before `end`.
    mutating func add(
        _ wsi: OpaquePointer, _ name: String, _ value: String,
        _ p: inout UnsafeMutablePointer<UInt8>?, _ end: UnsafeMutablePointer<UInt8>
    ) -> Bool {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: name.utf8)
        scratch.append(UInt8(ascii: ":"))
        scratch.append(0)
        let valueStart = scratch.count
        scratch.append(contentsOf: value.utf8)
        let length = Int32(scratch.count - valueStart)
        scratch.append(0)
        return scratch.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return false }
            return lws_add_http_header_by_name(wsi, base, base + valueStart, length, &p, end) == 0
        }
    }
}
