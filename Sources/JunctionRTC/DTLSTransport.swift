import Dispatch

/// DTLS 1.2 over datagrams that someone else moves (ICE's UDP socket, or
/// memory in tests), for WebRTC data channels: OpenSSL with memory BIOs,
/// the peer's certificate checked against the SDP fingerprints, use_srtp
/// negotiated, handshake retransmission driven by a `DispatchSourceTimer`.
///
/// Confined to `queue`: call every method and set every property on it.
/// The callbacks (`send`, ``onStateChange``, ``onData``) run on it too,
/// synchronously; they may call back into the transport (`write`,
/// `close`) — but not `send`, which runs inside OpenSSL.
///
/// ```swift
/// let dtls = try DTLSTransport(role: .client, certificate: certificate,
///                              remoteFingerprints: offer.fingerprints, queue: queue) { datagram in
///     socket.send(datagram, to: peer)
/// }
/// dtls.onStateChange = { state in if state == .connected { try? dtls.write(sctpPacket) } }
/// dtls.onData = { packet in sctp.receive(packet) }
/// dtls.start()
/// // for every DTLS datagram from the socket (RFC 7983: first byte 20…63):
/// dtls.receive(datagram: bytes)
/// ```
public final class DTLSTransport: @unchecked Sendable {
    /// Which side of the handshake we are.
    public enum Role: Sendable, Equatable {
        /// DTLS client: `a=setup:active`. Sends the ClientHello on ``start()``.
        case client
        /// DTLS server: `a=setup:passive`. Waits for the ClientHello.
        case server

        /// The role for a negotiated `a=setup` (`nil` for `actpass`/`holdconn`).
        public init?(setup: SDPSetupRole) {
            switch setup {
            case .active: self = .client
            case .passive: self = .server
            case .actpass, .holdconn: return nil
            }
        }
    }

    /// Where the association is.
    public enum State: Sendable, Equatable {
        /// Created; ``start()`` not called yet.
        case new
        /// Handshaking.
        case connecting
        /// Handshake done, fingerprint verified, SRTP profile negotiated.
        case connected
        /// Closed by ``close()`` or by the peer's close_notify (see ``receivedCloseNotify``).
        case closed
        /// Failed; the transport is finished.
        case failed(DTLSError)
    }

    /// The SRTP protection profile use_srtp agreed on (RFC 5764).
    public struct SRTPProfile: Sendable, Equatable, CustomStringConvertible {
        /// OpenSSL's name, e.g. `SRTP_AEAD_AES_128_GCM`.
        public let name: String
        /// The IANA id, e.g. 0x0007.
        public let id: UInt16
        public var description: String { name }
    }

    /// Counters for what went through (and what was refused).
    public struct Statistics: Sendable, Equatable {
        /// Datagrams handed to ``receive(datagram:)``.
        public var datagramsReceived = 0
        /// Of those, how many were dropped without reaching OpenSSL (not
        /// DTLS records, or arriving when the transport could not take them).
        public var datagramsDiscarded = 0
        /// Why the last one was dropped.
        public var lastDiscardReason: String?
        /// Datagrams handed to `send`.
        public var datagramsSent = 0
        /// Retransmission timer expiries on which OpenSSL resent a flight.
        public var retransmissions = 0
        /// Application packets delivered through ``onData``.
        public var packetsRead = 0
        /// Application packets accepted by ``write(_:)``.
        public var packetsWritten = 0
    }

    /// Our role.
    public let role: Role
    /// The queue everything runs on.
    public let queue: DispatchQueue
    /// How long the handshake may take, from ``start()``.
    public let handshakeTimeout: Duration
    /// The current state.
    public private(set) var state = State.new
    /// The negotiated SRTP profile, once connected.
    public private(set) var selectedSRTPProfile: SRTPProfile?
    /// The negotiated cipher suite (OpenSSL's name), once connected.
    public private(set) var cipherSuite: String?
    /// The shortest record of a protected epoch the suite can produce;
    /// shorter ones are discarded before OpenSSL sees them.
    private var minimumProtectedRecord = DTLSRecordScan.smallestProtectedRecord
    /// Whether the peer closed the association with close_notify.
    public private(set) var receivedCloseNotify = false
    /// Called on `queue` on every state change.
    public var onStateChange: ((State) -> Void)?
    /// Called on `queue` with each application packet (one DTLS record).
    public var onData: (([UInt8]) -> Void)?

    /// The counters so far.
    public var statistics: Statistics {
        var copy = counters
        copy.datagramsSent = session?.callbacks.datagramsSent ?? sentBeforeTeardown
        return copy
    }

    private var session: DTLSSession?
    private var timer: (any DispatchSourceTimer)?
    /// When the handshake gives up (set by `start`, cleared when connected).
    private var handshakeDeadline: DispatchTime?
    private var counters = Statistics()
    /// The timer is parked at `.distantFuture`.
    private var timerIdle = false
    private var sentBeforeTeardown = 0

    /// A transport that will authenticate the peer by `remoteFingerprints`
    /// (those with a hash in sha-256/384/512 count; one must match) and hand
    /// every outgoing datagram to `send`, on `queue`.
    ///
    /// Throws ``DTLSError/noUsableFingerprint(offered:)`` when no fingerprint
    /// can be checked, ``DTLSError/setup(_:)`` when OpenSSL refuses a setting.
    public init(
        role: Role,
        certificate: DTLSCertificate,
        remoteFingerprints: [DTLSFingerprint],
        queue: DispatchQueue,
        handshakeTimeout: Duration = .seconds(30),
        send: @escaping ([UInt8]) -> Void
    ) throws(DTLSError) {
        let check = try DTLSFingerprintCheck(remote: remoteFingerprints)
        self.role = role
        self.queue = queue
        self.handshakeTimeout = handshakeTimeout
        session = try DTLSSession(client: role == .client, certificate: certificate, check: check, send: send)
    }

    deinit {
        timer?.cancel()
    }

    /// Starts the handshake: a client sends its ClientHello, a server waits
    /// for one. Either gives up after ``handshakeTimeout``.
    public func start() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard state == .new, let session else { return }
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.setEventHandler { [weak self] in self?.timerFired() }
        timer.schedule(deadline: .distantFuture)
        timer.resume()
        self.timer = timer
        handshakeDeadline = .now() + .nanoseconds(Self.nanoseconds(handshakeTimeout))
        setState(.connecting)
        if role == .client { step(session) }
        rearmTimer()
    }

    /// Takes one datagram from the peer. Datagrams that are not DTLS
    /// records, or that come before ``start()`` (client) or after the end,
    /// are dropped and counted in ``statistics``. A server that has not
    /// been started starts on its first datagram.
    public func receive(datagram: [UInt8]) {
        dispatchPrecondition(condition: .onQueue(queue))
        counters.datagramsReceived += 1
        if let why = DTLSRecordScan.problem(in: datagram, minimumProtected: minimumProtectedRecord) { return discard(why) }
        if state == .new && role == .server { start() }
        guard state == .connecting || state == .connected, let session else {
            return discard("transport is \(Self.name(of: state))")
        }
        guard session.feed(datagram) else {
            return fail(.connection(.capture("BIO_write")))
        }
        step(session)
        rearmTimer()
    }

    /// Sends one application packet as one DTLS record (keep it within
    /// the path MTU: ≤ 1200 bytes for SCTP over DTLS). Throws when not
    /// connected or the packet is empty or over 16384 bytes; a fatal
    /// OpenSSL error also fails the transport.
    public func write(_ packet: [UInt8]) throws(DTLSError) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard state == .connected, let session else { throw .notConnected(Self.name(of: state)) }
        guard !packet.isEmpty, packet.count <= DTLSSession.maxRecordPlaintext else {
            throw .invalidPacket("a packet of \(packet.count) bytes (1…\(DTLSSession.maxRecordPlaintext))")
        }
        switch session.write(packet) {
        case .success:
            counters.packetsWritten += 1
        case .retry:
            throw .connection(OpenSSLError(function: "SSL_write", reason: "would block"))
        case .closeNotify:
            peerClosed(session)
            throw .notConnected("closed by the peer")
        case .fatal(let error):
            fail(.connection(error))
            throw .connection(error)
        }
    }

    /// Closes the association: one close_notify if connected (the peer's is
    /// not awaited), then the SSL is freed. Idempotent.
    public func close() {
        dispatchPrecondition(condition: .onQueue(queue))
        switch state {
        case .closed, .failed: return
        case .connected: session?.shutdown()
        case .new, .connecting: break
        }
        finish(.closed)
    }

    // MARK: Driving OpenSSL

    /// Runs the handshake while connecting, then reads every record OpenSSL
    /// has. Callbacks may close the transport in between: re-check each time.
    private func step(_ session: DTLSSession) {
        if state == .connecting {
            switch session.handshake() {
            case .success: connected(session)
            case .retry: return
            case .closeNotify: return fail(.handshake(OpenSSLError(function: "SSL_do_handshake", reason: "the peer sent close_notify")))
            case .fatal(let error): return fail(handshakeFailure(error, session))
            }
        }
        while state == .connected {
            let (outcome, packet) = session.read()
            switch outcome {
            case .success:
                counters.packetsRead += 1
                onData?(packet)
            case .retry: return
            case .closeNotify: return peerClosed(session)
            case .fatal(let error): return fail(.connection(error))
            }
        }
    }

    private func connected(_ session: DTLSSession) {
        guard session.callbacks.verification == .matched else {
            return fail(.fingerprintMismatch("the peer certificate was not verified against the remote description"))
        }
        guard let profile = session.selectedSRTPProfile() else {
            session.shutdown()
            return fail(.noSRTPProfile)
        }
        selectedSRTPProfile = profile
        cipherSuite = session.cipherName()
        minimumProtectedRecord = cipherSuite.map(DTLSRecordScan.smallestProtectedRecord(cipher:)) ?? minimumProtectedRecord
        handshakeDeadline = nil
        setState(.connected)
    }

    /// The error for a failed handshake: a fingerprint mismatch when our
    /// check refused the certificate, else OpenSSL's reasons and the last alert.
    private func handshakeFailure(_ error: OpenSSLError, _ session: DTLSSession) -> DTLSError {
        if case .mismatch(let why) = session.callbacks.verification {
            return .fingerprintMismatch("\(why); \(error)")
        }
        guard let alert = session.callbacks.lastAlert else { return .handshake(error) }
        let reason = error.reason.isEmpty ? alert : "\(error.reason) (\(alert))"
        return .handshake(OpenSSLError(function: error.function, reason: reason))
    }

    /// The peer's close_notify: answer with ours and close.
    private func peerClosed(_ session: DTLSSession) {
        receivedCloseNotify = true
        session.shutdown()
        finish(.closed)
    }

    private func discard(_ why: String) {
        counters.datagramsDiscarded += 1
        counters.lastDiscardReason = why
    }

    private func fail(_ error: DTLSError) {
        finish(.failed(error))
    }

    /// The end: stop the timer, free the SSL, report. Only the first call counts.
    private func finish(_ final: State) {
        switch state {
        case .closed, .failed: return
        default: break
        }
        timer?.cancel()
        timer = nil
        handshakeDeadline = nil
        sentBeforeTeardown = session?.callbacks.datagramsSent ?? sentBeforeTeardown
        session = nil
        setState(final)
    }

    private func setState(_ new: State) {
        state = new
        onStateChange?(new)
    }

    // MARK: Retransmission timer

    /// Arms the timer for OpenSSL's next retransmission or the handshake
    /// deadline, whichever is first; parks it when neither applies.
    private func rearmTimer() {
        guard let timer, let session else { return }
        var fireAt = session.timeout().map { DispatchTime.now() + .microseconds($0) }
        if let deadline = handshakeDeadline { fireAt = min(fireAt ?? deadline, deadline) }
        // Once connected there is usually nothing to time: leave an idle timer
        // alone (rescheduling it per datagram wakes libdispatch's manager thread).
        if fireAt == nil {
            if timerIdle { return }
            timerIdle = true
        } else {
            timerIdle = false
        }
        timer.schedule(deadline: fireAt ?? .distantFuture, leeway: .milliseconds(5))
    }

    private func timerFired() {
        guard let session else { return }
        if state == .connecting, let deadline = handshakeDeadline, DispatchTime.now() >= deadline {
            return fail(.timeout(Double(Self.nanoseconds(handshakeTimeout)) / 1e9))
        }
        switch session.handleTimeout() {
        case .success: counters.retransmissions += 1
        case .retry, .closeNotify: break
        case .fatal(let error): return fail(state == .connected ? .connection(error) : .handshake(error))
        }
        rearmTimer()
    }

    // MARK: Helpers

    private static func nanoseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return 0 }
        return Int(min(seconds, 1 << 32)) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
    }

    private static func name(of state: State) -> String {
        switch state {
        case .new: return "new"
        case .connecting: return "connecting"
        case .connected: return "connected"
        case .closed: return "closed"
        case .failed(let error): return "failed: \(error)"
        }
    }
}
