/// Checks a peer certificate against the fingerprints of the remote
/// description (RFC 8122): only fingerprints whose hash function is in
/// ``supported`` count, and the certificate must match at least one of them
/// (a peer may list several hash functions, or several certificates).
///
/// ```swift
/// let check = try DTLSFingerprintCheck(remote: offer.dataSection.fingerprints)
/// if let why = check.mismatch(certificateDER: peerDER) { print(why) }
/// ```
struct DTLSFingerprintCheck: Sendable {
    /// The hash functions we verify with (SHA-1 and SHA-224 are too weak to trust).
    static let supported: [OpenSSLDigest] = [.sha256, .sha384, .sha512]

    /// The usable fingerprints, in the order offered.
    let fingerprints: [DTLSFingerprint]

    /// Keeps the fingerprints we can verify with; throws when none is left.
    init(remote: [DTLSFingerprint]) throws(DTLSError) {
        fingerprints = remote.filter { Self.supported.contains($0.algorithm) }
        guard !fingerprints.isEmpty else {
            throw .noUsableFingerprint(offered: remote.map(\.algorithm.rawValue))
        }
    }

    /// `nil` when `der` matches one of the fingerprints, else why it does not.
    func mismatch(certificateDER der: [UInt8]) -> String? {
        var seen: [String] = []
        for fingerprint in fingerprints {
            do {
                if try fingerprint.matches(certificateDER: der) { return nil }
                seen.append(try DTLSFingerprint(certificateDER: der, algorithm: fingerprint.algorithm).sdpValue)
            } catch {
                return "cannot hash the peer certificate: \(error)"
            }
        }
        let expected = fingerprints.map(\.sdpValue).joined(separator: ", ")
        return "peer certificate (\(seen.joined(separator: ", "))) matches no fingerprint of the remote description (\(expected))"
    }
}
