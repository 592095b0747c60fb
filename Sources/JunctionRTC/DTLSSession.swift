import COpenSSL

/// The OpenSSL side of one DTLS association: an `SSL_CTX` configured for
/// WebRTC, one `SSL`, an input memory BIO and an output BIO that hands
/// every `BIO_write` out as one datagram. It owns all of them and frees
/// them once, in `deinit`.
///
/// Not thread-safe: ``DTLSTransport`` uses it on its serial queue only. The
/// SSL calls are methods here, so the caller's reference keeps the session
/// alive for the whole call even if a callback drops the transport's.
final class DTLSSession {
    /// What an SSL call came to.
    enum Outcome {
        /// It returned this positive value.
        case success(Int)
        /// It needs another datagram (or has nothing more to give).
        case retry
        /// The peer sent close_notify.
        case closeNotify
        /// A fatal error, with OpenSSL's reasons.
        case fatal(OpenSSLError)
    }

    /// The path MTU before and during the handshake: 1280 − 40 (IPv6) − 8 (UDP).
    static let handshakeMTU = 1232
    /// The largest plaintext one DTLS record carries.
    static let maxRecordPlaintext = 16_384

    static let cipherList =
        "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES256-GCM-SHA384:"
        + "ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA"
    static let groupList = "P-256:X25519"
    static let srtpProfiles = "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80"

    /// `SSL_CTX *`.
    private let context: OpaquePointer
    /// `SSL *`; owns both BIOs.
    private let ssl: OpaquePointer
    /// `BIO_METHOD *` of the output BIO; freed after the SSL.
    private let outputMethod: OpaquePointer
    /// The input memory BIO (owned by `ssl`).
    private let input: OpaquePointer
    /// What the C callbacks reach, unretained: it lives as long as this session.
    let callbacks: DTLSCallbacks
    /// Where `SSL_read` writes plaintext.
    private let readBuffer: UnsafeMutableRawBufferPointer

    init(client: Bool, certificate: DTLSCertificate, check: DTLSFingerprintCheck, send: @escaping ([UInt8]) -> Void) throws(DTLSError) {
        let callbacks = DTLSCallbacks(check: check, send: send)
        let unretained = Unmanaged.passUnretained(callbacks).toOpaque()
        let context = try Self.makeContext(certificate: certificate, callbacks: unretained)
        // Until the SSL owns the BIOs, every failure frees what exists so far.
        let newMethod = Self.makeOutputMethod()
        let newSSL = newMethod == nil ? nil : SSL_new(context)
        let newInput = newSSL == nil ? nil : BIO_new(BIO_s_mem())
        let newOutput = newInput == nil ? nil : BIO_new(newMethod)
        guard let method = newMethod, let ssl = newSSL, let input = newInput, let output = newOutput else {
            let error = OpenSSLError.capture("BIO_meth_new/SSL_new/BIO_new")
            BIO_free(newInput)
            SSL_free(newSSL)
            BIO_meth_free(newMethod)
            SSL_CTX_free(context)
            throw .setup(error)
        }
        junction_BIO_set_mem_eof_return(input, -1)
        BIO_set_data(output, unretained)
        BIO_set_init(output, 1)
        SSL_set_bio(ssl, input, output)  // the SSL owns both BIOs from here
        SSL_set_ex_data(ssl, 0, unretained)
        SSL_set_info_callback(ssl, dtlsInfoCallback)
        self.context = context
        self.ssl = ssl
        self.input = input
        outputMethod = method
        self.callbacks = callbacks
        readBuffer = .allocate(byteCount: Self.maxRecordPlaintext, alignment: 16)
        // Fully initialised: deinit frees everything from here on.
        // Returns the MTU it set, 0 when below OpenSSL's minimum.
        guard junction_SSL_set_mtu(ssl, Self.handshakeMTU) == Self.handshakeMTU else { throw .setup(.capture("SSL_set_mtu")) }
        if client { SSL_set_connect_state(ssl) } else { SSL_set_accept_state(ssl) }
    }

    deinit {
        SSL_free(ssl)  // frees both BIOs
        SSL_CTX_free(context)
        BIO_meth_free(outputMethod)
        readBuffer.deallocate()
    }

    /// An `SSL_CTX` per research note §3: DTLS 1.2 only, no MTU queries,
    /// compression or renegotiation, the peer's certificate required in both
    /// roles and checked by `dtlsVerifyCallback` against the SDP, ECDHE-ECDSA
    /// suites, P-256/X25519, use_srtp, our certificate and key.
    private static func makeContext(certificate: DTLSCertificate, callbacks: UnsafeMutableRawPointer) throws(DTLSError) -> OpaquePointer {
        guard let context = SSL_CTX_new(DTLS_method()) else { throw .setup(.capture("SSL_CTX_new")) }
        do throws(OpenSSLError) {
            guard junction_SSL_CTX_set_min_proto_version(context, DTLS1_2_VERSION) == 1,
                junction_SSL_CTX_set_max_proto_version(context, DTLS1_2_VERSION) == 1
            else { throw .capture("SSL_CTX_set_min/max_proto_version") }
            SSL_CTX_set_options(
                context, junction_SSL_OP_NO_QUERY_MTU() | junction_SSL_OP_NO_COMPRESSION() | junction_SSL_OP_NO_RENEGOTIATION())
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nil)
            SSL_CTX_set_cert_verify_callback(context, dtlsVerifyCallback, callbacks)
            guard SSL_CTX_set_cipher_list(context, cipherList) == 1 else { throw .capture("SSL_CTX_set_cipher_list") }
            guard junction_SSL_CTX_set1_groups_list(context, groupList) == 1 else { throw .capture("SSL_CTX_set1_groups_list") }
            // Returns 0 on success, unlike its neighbours.
            guard SSL_CTX_set_tlsext_use_srtp(context, srtpProfiles) == 0 else { throw .capture("SSL_CTX_set_tlsext_use_srtp") }
            guard SSL_CTX_use_certificate(context, certificate.x509) == 1 else { throw .capture("SSL_CTX_use_certificate") }
            guard SSL_CTX_use_PrivateKey(context, certificate.privateKey) == 1 else { throw .capture("SSL_CTX_use_PrivateKey") }
            guard SSL_CTX_check_private_key(context) == 1 else { throw .capture("SSL_CTX_check_private_key") }
            SSL_CTX_set_quiet_shutdown(context, 0)
            return context
        } catch {
            SSL_CTX_free(context)
            throw .setup(error)
        }
    }

    /// The output BIO's method: write = one datagram, ctrl as a datagram BIO
    /// that never buffers.
    private static func makeOutputMethod() -> OpaquePointer? {
        guard let method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "junction DTLS datagram") else { return nil }
        BIO_meth_set_write(method, dtlsOutputWrite)
        BIO_meth_set_ctrl(method, dtlsOutputControl)
        return method
    }

    // MARK: SSL calls

    /// Hands one received datagram to OpenSSL (`BIO_write` on the input BIO).
    func feed(_ datagram: [UInt8]) -> Bool {
        let written = datagram.withUnsafeBytes { BIO_write(input, $0.baseAddress, Int32($0.count)) }
        return Int(written) == datagram.count
    }

    /// `SSL_do_handshake`.
    func handshake() -> Outcome {
        ERR_clear_error()
        return outcome(SSL_do_handshake(ssl), "SSL_do_handshake")
    }

    /// `SSL_read` of one record: `.success` with its plaintext.
    func read() -> (Outcome, [UInt8]) {
        ERR_clear_error()
        let count = SSL_read(ssl, readBuffer.baseAddress, Int32(readBuffer.count))
        let result = outcome(count, "SSL_read")
        guard case .success(let length) = result else { return (result, []) }
        return (result, Array(UnsafeRawBufferPointer(rebasing: readBuffer[0..<length])))
    }

    /// `SSL_write` of one record.
    func write(_ packet: [UInt8]) -> Outcome {
        ERR_clear_error()
        let written = packet.withUnsafeBytes { SSL_write(ssl, $0.baseAddress, Int32($0.count)) }
        return outcome(written, "SSL_write")
    }

    /// One `SSL_shutdown`: sends close_notify, does not wait for the peer's.
    func shutdown() {
        ERR_clear_error()
        _ = SSL_shutdown(ssl)
        ERR_clear_error()
    }

    /// Time left on OpenSSL's retransmission timer, in microseconds, or
    /// `nil` when no timer runs.
    func timeout() -> Int? {
        var left = timeval()
        guard junction_DTLSv1_get_timeout(ssl, &left) == 1 else { return nil }
        return max(0, Int(left.tv_sec) * 1_000_000 + Int(left.tv_usec))
    }

    /// `DTLSv1_handle_timeout`: `.success(1)` after retransmitting,
    /// `.retry` when no timer had expired, `.fatal` past OpenSSL's limit.
    func handleTimeout() -> Outcome {
        ERR_clear_error()
        let result = junction_DTLSv1_handle_timeout(ssl)
        if result > 0 { return .success(Int(result)) }
        if result == 0 { return .retry }
        return .fatal(.capture("DTLSv1_handle_timeout"))
    }

    /// The negotiated SRTP protection profile, if any.
    func selectedSRTPProfile() -> DTLSTransport.SRTPProfile? {
        guard let profile = SSL_get_selected_srtp_profile(ssl) else { return nil }
        let name = profile.pointee.name.map { String(cString: $0) } ?? "?"
        return DTLSTransport.SRTPProfile(name: name, id: UInt16(truncatingIfNeeded: profile.pointee.id))
    }

    /// The negotiated cipher suite's OpenSSL name.
    func cipherName() -> String? {
        SSL_get_current_cipher(ssl).flatMap { SSL_CIPHER_get_name($0) }.map { String(cString: $0) }
    }

    private func outcome(_ result: Int32, _ function: String) -> Outcome {
        if result > 0 { return .success(Int(result)) }
        let code = SSL_get_error(ssl, result)
        switch code {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE: return .retry
        case SSL_ERROR_ZERO_RETURN: return .closeNotify
        default:
            let error = OpenSSLError.capture(function)
            if !error.reason.isEmpty { return .fatal(error) }
            return .fatal(OpenSSLError(function: function, reason: "SSL_get_error \(code)"))
        }
    }
}

/// State the C callbacks reach through `BIO_get_data`, `SSL_get_ex_data`
/// and the verify callback's argument: the datagram sink, the fingerprint
/// check and what it found, the last alert. Used on the transport's queue.
final class DTLSCallbacks {
    /// What the fingerprint check concluded.
    enum Verification: Equatable {
        case pending
        case matched
        case mismatch(String)
    }

    let check: DTLSFingerprintCheck
    let send: ([UInt8]) -> Void
    var verification = Verification.pending
    /// "sent fatal: bad certificate" and the like, for error messages.
    var lastAlert: String?
    var datagramsSent = 0

    init(check: DTLSFingerprintCheck, send: @escaping ([UInt8]) -> Void) {
        self.check = check
        self.send = send
    }

    static func from(_ pointer: UnsafeMutableRawPointer?) -> DTLSCallbacks? {
        pointer.map { Unmanaged<DTLSCallbacks>.fromOpaque($0).takeUnretainedValue() }
    }
}

/// Output BIO write: one call, one datagram.
private func dtlsOutputWrite(_ bio: OpaquePointer?, _ data: UnsafePointer<CChar>?, _ length: Int32) -> Int32 {
    guard let callbacks = DTLSCallbacks.from(BIO_get_data(bio)), let data, length > 0 else { return -1 }
    let datagram = Array(UnsafeRawBufferPointer(start: data, count: Int(length)))
    callbacks.datagramsSent += 1
    callbacks.send(datagram)
    return length
}

/// Output BIO ctrl: flushing always succeeds, nothing is ever pending, and
/// there is no MTU to query (the MTU is set with `SSL_set_mtu`).
private func dtlsOutputControl(_ bio: OpaquePointer?, _ command: Int32, _ number: Int, _ pointer: UnsafeMutableRawPointer?) -> Int {
    switch command {
    case BIO_CTRL_FLUSH: return 1
    default: return 0  // BIO_CTRL_DGRAM_QUERY_MTU, BIO_CTRL_PENDING, BIO_CTRL_WPENDING, …
    }
}

/// Certificate verification (replaces OpenSSL's chain building: WebRTC
/// certificates are self-signed and trusted by fingerprint only).
private func dtlsVerifyCallback(_ store: OpaquePointer?, _ argument: UnsafeMutableRawPointer?) -> Int32 {
    guard let callbacks = DTLSCallbacks.from(argument) else { return 0 }
    guard let certificate = X509_STORE_CTX_get0_cert(store), let der = try? DTLSCertificate.encode(certificate) else {
        callbacks.verification = .mismatch("the peer sent no readable certificate")
        X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION)
        return 0
    }
    if let why = callbacks.check.mismatch(certificateDER: der) {
        callbacks.verification = .mismatch(why)
        X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED)
        return 0
    }
    callbacks.verification = .matched
    return 1
}

/// Info callback: remembers the last alert sent or received.
private func dtlsInfoCallback(_ ssl: OpaquePointer?, _ location: Int32, _ value: Int32) {
    guard location & SSL_CB_ALERT != 0, let callbacks = DTLSCallbacks.from(SSL_get_ex_data(ssl, 0)) else { return }
    let direction = location & SSL_CB_READ != 0 ? "received" : "sent"
    let level = String(cString: SSL_alert_type_string_long(value))
    let description = String(cString: SSL_alert_desc_string_long(value))
    callbacks.lastAlert = "\(direction) \(level.lowercased()) alert: \(description)"
}
