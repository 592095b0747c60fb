/// The SDP answer of an ICE-lite data-channel answerer to an ``SDPOffer``
/// (the shape aiortc 1.16 and Chromium accept).
///
/// - `a=ice-lite` at session level; `a=group:BUNDLE` with the data
///   section's mid only, when the offer bundled it.
/// - Every offered section is echoed in order, so `(kind, mid)` lists
///   match. The first usable data-channel section is live; every other one
///   is rejected with port 0 and `a=inactive` and left out of BUNDLE.
/// - `a=setup:active` for `actpass` (we are the DTLS client), `passive`
///   for `active`; `a=max-message-size`; host candidates then
///   `a=end-of-candidates` (or neither, when none are given, to trickle).
///
/// ```swift
/// let offer = try SDPOffer(parsing: body)
/// let answer = try SDPAnswer(offer: offer, local: .init(
///     credentials: try ICECredentials.random(),
///     fingerprint: try DTLSFingerprint(certificateDER: der),
///     candidates: [.host(address: "127.0.0.1", port: 50_000)],
///     sessionID: try SecureRandom.uint64() >> 1))
/// reply(answer.sdp)          // CRLF line endings
/// answer.setup               // .active: start DTLS as the client
/// answer.remote.credentials  // the peer's ufrag and password, for STUN
/// ```
public struct SDPAnswer: Sendable {
    /// What the answer says about this end.
    public struct Local: Sendable {
        public var credentials: ICECredentials
        /// Our certificate's fingerprint (sha-256 is what every peer checks).
        public var fingerprint: DTLSFingerprint
        /// Host candidates, one per advertised address.
        public var candidates: [ICECandidate]
        /// The `o=` session id (keep it below 2^63).
        public var sessionID: UInt64
        /// The `o=` session version: 2 in a first answer, one more in each
        /// later one (RFC 8866 §5.2).
        public var sessionVersion: UInt64
        public var sctpPort: Int
        public var maxMessageSize: Int

        public init(
            credentials: ICECredentials, fingerprint: DTLSFingerprint, candidates: [ICECandidate], sessionID: UInt64,
            sessionVersion: UInt64 = 2, sctpPort: Int = 5_000, maxMessageSize: Int = 262_144
        ) {
            self.credentials = credentials
            self.fingerprint = fingerprint
            self.candidates = candidates
            self.sessionID = sessionID
            self.sessionVersion = sessionVersion
            self.sctpPort = sctpPort
            self.maxMessageSize = maxMessageSize
        }
    }

    /// The answer text, CRLF line endings, ending with CRLF.
    public let sdp: String
    /// Our DTLS role: `.active` (client) or `.passive` (server).
    public let setup: SDPSetupRole
    /// The offer's data-channel section: the peer's credentials,
    /// fingerprints, SCTP port, max message size and candidates.
    public let remote: SDPMediaSection
    /// What the answer says about this end (a later answer starts from it).
    public let local: Local

    /// Builds the answer, or explains why the offer cannot be answered.
    public init(offer: SDPOffer, local: Local) throws(SDPError) {
        guard let remote = offer.dataChannel else {
            throw SDPError(.missing, "no usable data-channel section (m=application … UDP/DTLS/SCTP webrtc-datachannel)")
        }
        guard remote.credentials != nil else {
            throw SDPError(.missing, line: remote.line, "the data-channel section has no a=ice-ufrag and a=ice-pwd (here or at session level)")
        }
        guard !remote.fingerprints.isEmpty else {
            throw SDPError(.missing, line: remote.line, "the data-channel section has no a=fingerprint with a supported hash function")
        }
        // No a=setup: take it as actpass (what every WebRTC offerer sends) and be the DTLS client.
        guard let setup = (remote.setup ?? .actpass).answer else {
            throw SDPError(.unsupported, line: remote.line, "a=setup:holdconn: the offerer does not want a DTLS connection yet")
        }
        self.init(offer: offer, local: local, live: remote, setup: setup)
    }

    init(offer: SDPOffer, local: Local, live remote: SDPMediaSection, setup: SDPSetupRole) {
        self.remote = remote
        self.setup = setup
        self.local = local
        sdp = SDPAnswerWriter(offer: offer, local: local, live: remote, setup: setup).text
    }
}
