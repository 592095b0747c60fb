import COpenSSL

/// The hash functions JunctionRTC uses, computed by OpenSSL. The raw value
/// is the name SDP uses in `a=fingerprint` (RFC 8122's hash function
/// textual names).
///
/// ```swift
/// let digest = try OpenSSLDigest.sha256.hash(Array("abc".utf8))
/// digest.count  // 32
/// OpenSSLDigest(rawValue: "sha-384")  // .sha384
/// ```
public enum OpenSSLDigest: String, CaseIterable, Sendable {
    case sha1 = "sha-1"
    case sha224 = "sha-224"
    case sha256 = "sha-256"
    case sha384 = "sha-384"
    case sha512 = "sha-512"

    /// The digest length in bytes.
    public var length: Int {
        switch self {
        case .sha1: return 20
        case .sha224: return 28
        case .sha256: return 32
        case .sha384: return 48
        case .sha512: return 64
        }
    }

    /// OpenSSL's `EVP_MD` for this function (static objects; never freed).
    var evp: OpaquePointer? {
        switch self {
        case .sha1: return EVP_sha1()
        case .sha224: return EVP_sha224()
        case .sha256: return EVP_sha256()
        case .sha384: return EVP_sha384()
        case .sha512: return EVP_sha512()
        }
    }

    /// The digest of `bytes` (`EVP_Digest`).
    ///
    /// ```swift
    /// let fingerprintBytes = try OpenSSLDigest.sha256.hash(certificateDER)
    /// ```
    public func hash(_ bytes: [UInt8]) throws(OpenSSLError) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: Int(junction_evp_max_md_size()))
        var written: UInt32 = 0
        let status = bytes.withUnsafeBytes { input in
            output.withUnsafeMutableBufferPointer { out in
                EVP_Digest(input.baseAddress, input.count, out.baseAddress, &written, evp, nil)
            }
        }
        guard status == 1, Int(written) == length else { throw .capture("EVP_Digest") }
        return Array(output.prefix(length))
    }
}
