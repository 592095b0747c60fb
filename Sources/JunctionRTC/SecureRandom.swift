import COpenSSL

/// Cryptographically secure random bytes from OpenSSL's generator
/// (`RAND_bytes`): ICE credentials, STUN transaction ids, SDP session ids.
///
/// ```swift
/// let transactionID = try SecureRandom.bytes(12)
/// let tieBreaker = try SecureRandom.uint64()
/// ```
public enum SecureRandom {
    /// `count` random bytes.
    public static func bytes(_ count: Int) throws(OpenSSLError) -> [UInt8] {
        guard count > 0 else { return [] }
        guard count <= Int(Int32.max) else { throw OpenSSLError(function: "RAND_bytes", reason: "\(count) bytes requested") }
        var output = [UInt8](repeating: 0, count: count)
        let status = output.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
        guard status == 1 else { throw .capture("RAND_bytes") }
        return output
    }

    /// A random 64-bit number.
    public static func uint64() throws(OpenSSLError) -> UInt64 {
        try bytes(8).reduce(0) { $0 << 8 | UInt64($1) }
    }
}
