import COpenSSL

/// A self-signed ECDSA P-256 certificate and its private key, for DTLS in
/// WebRTC (aiortc and Chromium offer only ECDHE-ECDSA cipher suites). The
/// SDP carries its fingerprint; nothing else about it is checked by peers.
///
/// The instance owns the OpenSSL key and certificate and frees them once,
/// when it goes away. It is immutable after creation, and OpenSSL's
/// reference-counted `X509`/`EVP_PKEY` may be read from several threads, so
/// one certificate can serve many transports.
///
/// ```swift
/// let certificate = try DTLSCertificate()                 // valid −1 h … +30 d
/// let fingerprint = try certificate.fingerprint()         // sha-256
/// fingerprint.sdpValue  // "sha-256 3F:0B:…" for a=fingerprint
/// ```
public final class DTLSCertificate: @unchecked Sendable {
    /// The certificate, DER-encoded.
    public let der: [UInt8]
    /// The random subject (and issuer) common name, 32 hex digits.
    public let commonName: String
    /// `EVP_PKEY *`, owned.
    let privateKey: OpaquePointer
    /// `X509 *`, owned.
    let x509: OpaquePointer

    /// Generates a P-256 key and a self-signed X.509 certificate for it: a
    /// random 16-byte serial, a random common name, valid from an hour ago
    /// for `validityDays`, signed with SHA-256.
    public init(validityDays: Int = 30) throws(OpenSSLError) {
        guard (1...3650).contains(validityDays) else {
            throw OpenSSLError(function: "DTLSCertificate", reason: "validity of \(validityDays) days (1…3650)")
        }
        let key = try Self.generateKey()
        let name = try SecureRandom.bytes(16).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        let certificate: OpaquePointer
        do throws(OpenSSLError) {
            certificate = try Self.signCertificate(key: key, commonName: name, validityDays: validityDays)
        } catch {
            EVP_PKEY_free(key)
            throw error
        }
        let der: [UInt8]
        do throws(OpenSSLError) {
            der = try Self.encode(certificate)
        } catch {
            X509_free(certificate)
            EVP_PKEY_free(key)
            throw error
        }
        privateKey = key
        x509 = certificate
        commonName = name
        self.der = der
    }

    deinit {
        X509_free(x509)
        EVP_PKEY_free(privateKey)
    }

    /// The certificate's fingerprint for SDP's `a=fingerprint`
    /// (uppercase hex with colons).
    public func fingerprint(algorithm: OpenSSLDigest = .sha256) throws(OpenSSLError) -> DTLSFingerprint {
        try DTLSFingerprint(certificateDER: der, algorithm: algorithm)
    }

    /// A new P-256 key: `EVP_PKEY_CTX_new_from_name("EC")`, keygen init,
    /// group "P-256", generate (no variadic `EVP_EC_gen`).
    private static func generateKey() throws(OpenSSLError) -> OpaquePointer {
        guard let context = EVP_PKEY_CTX_new_from_name(nil, "EC", nil) else { throw .capture("EVP_PKEY_CTX_new_from_name") }
        defer { EVP_PKEY_CTX_free(context) }
        guard EVP_PKEY_keygen_init(context) == 1 else { throw .capture("EVP_PKEY_keygen_init") }
        guard EVP_PKEY_CTX_set_group_name(context, "P-256") == 1 else { throw .capture("EVP_PKEY_CTX_set_group_name") }
        var key: OpaquePointer?
        guard EVP_PKEY_generate(context, &key) == 1, let key else { throw .capture("EVP_PKEY_generate") }
        return key
    }

    /// A v1 certificate for `key`, subject = issuer = `CN=<commonName>`,
    /// signed by `key` itself with SHA-256. The caller owns the result.
    private static func signCertificate(key: OpaquePointer, commonName: String, validityDays: Int) throws(OpenSSLError) -> OpaquePointer {
        guard let certificate = X509_new() else { throw .capture("X509_new") }
        do throws(OpenSSLError) {
            guard X509_set_version(certificate, 0) == 1 else { throw .capture("X509_set_version") }
            try setRandomSerial(certificate)
            guard X509_gmtime_adj(X509_getm_notBefore(certificate), -3600) != nil,
                X509_gmtime_adj(X509_getm_notAfter(certificate), validityDays * 86_400) != nil
            else { throw .capture("X509_gmtime_adj") }
            guard X509_set_pubkey(certificate, key) == 1 else { throw .capture("X509_set_pubkey") }
            guard let subject = X509_get_subject_name(certificate),
                X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC, commonName, -1, -1, 0) == 1
            else { throw .capture("X509_NAME_add_entry_by_txt") }
            guard X509_set_issuer_name(certificate, subject) == 1 else { throw .capture("X509_set_issuer_name") }
            guard X509_sign(certificate, key, EVP_sha256()) > 0 else { throw .capture("X509_sign") }
            return certificate
        } catch {
            X509_free(certificate)
            throw error
        }
    }

    /// A random positive 16-byte serial number.
    private static func setRandomSerial(_ certificate: OpaquePointer) throws(OpenSSLError) {
        var bytes = try SecureRandom.bytes(16)
        bytes[0] = bytes[0] & 0x7F | 0x01  // positive, never zero, always 16 bytes long
        guard let number = bytes.withUnsafeBufferPointer({ BN_bin2bn($0.baseAddress, Int32($0.count), nil) }) else {
            throw .capture("BN_bin2bn")
        }
        defer { BN_free(number) }
        guard BN_to_ASN1_INTEGER(number, X509_get_serialNumber(certificate)) != nil else { throw .capture("BN_to_ASN1_INTEGER") }
    }

    /// The DER encoding (`i2d_X509`).
    static func encode(_ certificate: OpaquePointer) throws(OpenSSLError) -> [UInt8] {
        let length = i2d_X509(certificate, nil)
        guard length > 0 else { throw .capture("i2d_X509") }
        var der = [UInt8](repeating: 0, count: Int(length))
        let written = der.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor = buffer.baseAddress
            return i2d_X509(certificate, &cursor)
        }
        guard written == length else { throw .capture("i2d_X509") }
        return der
    }
}
