import COpenSSL

/// Keyed-hash message authentication (RFC 2104), computed by OpenSSL.
///
/// ```swift
/// let key = Array("VOkJxbRl1RmTxUk/WvJxBt".utf8)
/// let mac = try HMAC.sha1(key: key, data: message)      // 20 bytes
/// HMAC.matches(mac, key: key, data: message)            // true
/// HMAC.equal(mac, received)                             // constant time
/// ```
public enum HMAC {
    /// HMAC-SHA1 of `data` under `key`: STUN's MESSAGE-INTEGRITY.
    public static func sha1(key: [UInt8], data: [UInt8]) throws(OpenSSLError) -> [UInt8] {
        try authenticate(.sha1, key: key, data: data)
    }

    /// HMAC of `data` under `key` with any of the ``OpenSSLDigest`` functions.
    public static func authenticate(_ digest: OpenSSLDigest, key: [UInt8], data: [UInt8]) throws(OpenSSLError) -> [UInt8] {
        guard key.count <= Int(Int32.max) else { throw OpenSSLError(function: "HMAC", reason: "key too long") }
        var output = [UInt8](repeating: 0, count: Int(junction_evp_max_md_size()))
        var written: UInt32 = 0
        // OpenSSL may treat a NULL key as "no key given"; an empty key gets a real (unread) pointer.
        let keyBytes = key.isEmpty ? [0] : key
        let result = keyBytes.withUnsafeBytes { keyBuffer in
            data.withUnsafeBufferPointer { input in
                output.withUnsafeMutableBufferPointer { out in
                    COpenSSL.HMAC(digest.evp, keyBuffer.baseAddress, Int32(key.count), input.baseAddress, input.count, out.baseAddress, &written)
                }
            }
        }
        guard result != nil, Int(written) == digest.length else { throw .capture("HMAC") }
        return Array(output.prefix(digest.length))
    }

    /// Whether `mac` is the HMAC-SHA1 of `data` under `key`, compared in
    /// constant time (`CRYPTO_memcmp`). `false` when OpenSSL fails.
    public static func matches(_ mac: some Collection<UInt8>, key: [UInt8], data: [UInt8]) -> Bool {
        guard let expected = try? sha1(key: key, data: data) else { return false }
        return equal(Array(mac), expected)
    }

    /// Whether `a` and `b` hold the same bytes, compared in constant time
    /// (`CRYPTO_memcmp`): the time taken depends on the length only, never on
    /// where the first difference is. Different lengths are unequal at once
    /// (lengths of MACs are public).
    ///
    /// ```swift
    /// let expected = try HMAC.authenticate(.sha256, key: key, data: message)
    /// HMAC.equal(received, expected)   // true when the MAC is right
    /// ```
    public static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        guard !a.isEmpty else { return true }
        return a.withUnsafeBytes { x in
            b.withUnsafeBytes { y in CRYPTO_memcmp(x.baseAddress, y.baseAddress, y.count) == 0 }
        }
    }
}
