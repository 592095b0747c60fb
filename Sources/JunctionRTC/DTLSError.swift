/// Why a DTLS transport failed or refused a call. OpenSSL's own reasons
/// (`ERR_error_string_n`, alerts sent or received) are part of the message.
///
/// ```swift
/// transport.onStateChange = { state in
///     if case .failed(let error) = state {
///         print(error)  // "DTLS: peer certificate sha-256 AB:… matches no SDP fingerprint (sha-256 CD:…); …"
///     }
/// }
/// ```
public enum DTLSError: Error, Sendable, Equatable, CustomStringConvertible {
    /// OpenSSL refused to build the context or the connection (a setting, a BIO, the certificate).
    case setup(OpenSSLError)
    /// The remote description offered no fingerprint with a hash function we verify with.
    case noUsableFingerprint(offered: [String])
    /// The peer's certificate hashes to none of the SDP fingerprints; the handshake was aborted.
    case fingerprintMismatch(String)
    /// The handshake failed (a fatal alert sent or received, a malformed message).
    case handshake(OpenSSLError)
    /// The handshake finished without an SRTP protection profile (use_srtp is mandatory for WebRTC).
    case noSRTPProfile
    /// No completed handshake within the time allowed (seconds).
    case timeout(Double)
    /// A fatal error on an established connection.
    case connection(OpenSSLError)
    /// `write` before the handshake completed or after the transport closed or failed.
    case notConnected(String)
    /// `write` of a packet DTLS cannot carry (empty, or over one record's 16384 bytes).
    case invalidPacket(String)

    public var description: String {
        switch self {
        case .setup(let error): return "DTLS setup: \(error)"
        case .noUsableFingerprint(let offered):
            let list = offered.isEmpty ? "none" : offered.joined(separator: ", ")
            return "DTLS: the remote description has no fingerprint we can verify with (offered: \(list); supported: "
                + DTLSFingerprintCheck.supported.map(\.rawValue).joined(separator: ", ") + ")"
        case .fingerprintMismatch(let why): return "DTLS: \(why)"
        case .handshake(let error): return "DTLS handshake: \(error)"
        case .noSRTPProfile: return "DTLS: handshake completed without an SRTP profile (use_srtp not negotiated)"
        case .timeout(let seconds): return "DTLS: no handshake after \(seconds) s"
        case .connection(let error): return "DTLS: \(error)"
        case .notConnected(let state): return "DTLS: not connected (\(state))"
        case .invalidPacket(let why): return "DTLS: \(why)"
        }
    }
}
