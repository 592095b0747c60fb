import CZlib

/// CRC-32 (ISO-HDLC, the one zlib and STUN's FINGERPRINT use), computed by zlib.
///
/// ```swift
/// CRC32.checksum(Array("123456789".utf8)[...])  // 0xCBF43926
/// ```
enum CRC32 {
    /// The CRC-32 of `bytes`.
    static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc = crc32(0, nil, 0)
        var start = bytes.startIndex
        while start < bytes.endIndex {
            // zlib takes a 32-bit length: feed it at most 1 GiB at a time.
            let end = start + min(bytes.endIndex - start, 1 << 30)
            crc = bytes[start..<end].withUnsafeBufferPointer { crc32(crc, $0.baseAddress, UInt32($0.count)) }
            start = end
        }
        return UInt32(truncatingIfNeeded: crc)
    }
}
