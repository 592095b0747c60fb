/// A certificate fingerprint as SDP carries it (`a=fingerprint`, RFC 8122):
/// a hash function and the digest of the DER certificate.
///
/// ```swift
/// let ours = try DTLSFingerprint(certificateDER: der)          // sha-256
/// ours.sdpValue  // "sha-256 AB:CD:…" (uppercase hex, colons)
/// let theirs = try DTLSFingerprint(sdpValue: "sha-256 ab:cd:…")
/// try theirs.matches(certificateDER: peerDER)
/// ```
public struct DTLSFingerprint: Sendable, Hashable, CustomStringConvertible {
    /// The hash function (`sha-256`, …).
    public let algorithm: OpenSSLDigest
    /// The digest, ``OpenSSLDigest/length`` bytes.
    public let bytes: [UInt8]

    /// A fingerprint from its parts; `bytes` must have the algorithm's length.
    public init(algorithm: OpenSSLDigest, bytes: [UInt8]) throws(SDPError) {
        guard bytes.count == algorithm.length else {
            throw SDPError(.invalidValue, "a=fingerprint: \(algorithm.rawValue) needs \(algorithm.length) bytes, got \(bytes.count)")
        }
        self.algorithm = algorithm
        self.bytes = bytes
    }

    /// The fingerprint of a DER-encoded certificate.
    public init(certificateDER der: [UInt8], algorithm: OpenSSLDigest = .sha256) throws(OpenSSLError) {
        self.algorithm = algorithm
        bytes = try algorithm.hash(der)
    }

    /// Parses an `a=fingerprint` value, `"<hash-func> <HH:HH:…>"`; the hash
    /// name and the hex are case-insensitive.
    public init(sdpValue: String) throws(SDPError) {
        guard let parsed = try Self.parse(sdpValue) else {
            let name = sdpValue.split(separator: " ").first.map(String.init) ?? ""
            let known = OpenSSLDigest.allCases.map(\.rawValue).joined(separator: ", ")
            throw SDPError(.unsupported, "a=fingerprint: unsupported hash function '\(name)' (supported: \(known))")
        }
        self = parsed
    }

    /// `nil` for a well-formed value whose hash function is not one of
    /// ``OpenSSLDigest`` (such fingerprints are skipped, as aiortc does).
    static func parse(_ value: String) throws(SDPError) -> DTLSFingerprint? {
        let parts = value.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2 else {
            throw SDPError(.invalidValue, "a=fingerprint: expected '<hash-function> <hex:hex:…>', got \(parts.count) field(s)")
        }
        let name = parts[0].lowercased()
        guard name.utf8.allSatisfy(SDPToken.isTokenByte) else {
            throw SDPError(.invalidValue, "a=fingerprint: '\(SDPToken.excerpt(parts[0]))' is not a hash function name")
        }
        var bytes: [UInt8] = []
        for pair in parts[1].split(separator: ":", omittingEmptySubsequences: false) {
            guard pair.utf8.count == 2, let byte = UInt8(pair, radix: 16) else {
                throw SDPError(.invalidValue, "a=fingerprint: '\(SDPToken.excerpt(pair))' is not a hex byte")
            }
            bytes.append(byte)
        }
        guard let algorithm = OpenSSLDigest(rawValue: name) else { return nil }
        return try DTLSFingerprint(algorithm: algorithm, bytes: bytes)
    }

    /// `"<hash-func> <HH:HH:…>"`, uppercase hex: the `a=fingerprint` value.
    public var sdpValue: String { "\(algorithm.rawValue) \(hex)" }

    /// The digest as uppercase hex pairs joined by colons.
    public var hex: String {
        let digits = Array("0123456789ABCDEF".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count * 3)
        for (index, byte) in bytes.enumerated() {
            if index > 0 { text.append(UInt8(ascii: ":")) }
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    public var description: String { sdpValue }

    /// Whether `der` hashes to this fingerprint with its algorithm.
    public func matches(certificateDER der: [UInt8]) throws(OpenSSLError) -> Bool {
        try algorithm.hash(der) == bytes
    }
}
