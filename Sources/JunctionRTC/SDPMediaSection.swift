/// One `m=` section of an offer, with the session-level values it
/// inherits already applied (a media-level `a=ice-ufrag`, `a=ice-pwd`,
/// `a=fingerprint` or `a=setup` wins over the session-level one).
///
/// ```swift
/// let offer = try SDPOffer(parsing: text)
/// if let data = offer.dataChannel {
///     data.mid              // "0"
///     data.credentials      // the peer's ufrag and password
///     data.fingerprints     // every a=fingerprint with a known hash
///     data.remoteSCTPPort   // 5000
/// }
/// ```
public struct SDPMediaSection: Sendable, Equatable {
    /// `a=sctpmap` (the pre-RFC 8841 form): `<port> <protocol> [<streams>]`.
    public struct SCTPMap: Sendable, Equatable {
        public var port: Int
        public var protocolName: String
        public var streams: Int?
    }

    /// The 1-based line of the `m=` line.
    public var line: Int
    /// `audio`, `video`, `application`, …
    public var kind: String
    public var port: Int
    /// `UDP/DTLS/SCTP`, `DTLS/SCTP`, `UDP/TLS/RTP/SAVPF`, …
    public var proto: String
    /// The `<fmt>` list: `webrtc-datachannel`, payload types, or the legacy SCTP port.
    public var formats: [String]
    public var mid: String?
    /// The peer's ICE credentials, when both the ufrag and the password are given.
    public var credentials: ICECredentials?
    /// Fingerprints whose hash function OpenSSL knows; others are skipped.
    public var fingerprints: [DTLSFingerprint] = []
    public var setup: SDPSetupRole?
    /// `a=sctp-port` (RFC 8841).
    public var sctpPort: Int?
    public var sctpmap: SCTPMap?
    /// `a=max-message-size`: `0` means no limit; absent means 65536 (RFC 8841 §6).
    public var maxMessageSize: Int?
    public var candidates: [ICECandidate] = []
    /// `a=end-of-candidates`, here or at session level.
    public var endOfCandidates = false
    /// `a=bundle-only`: port 0 yet part of the bundle (JSEP max-bundle).
    public var bundleOnly = false
    /// The `a=rtpmap` value of the first format (`111 opus/48000/2`), when
    /// given: a declined audio or video section repeats it, since aiortc reads
    /// the codecs of every section of an answer, declined ones too.
    public var firstFormatMap: String?

    init(line: Int, kind: String, port: Int, proto: String, formats: [String]) {
        self.line = line
        self.kind = kind
        self.port = port
        self.proto = proto
        self.formats = formats
    }

    /// An `m=application` data-channel section: `UDP/DTLS/SCTP` or
    /// `TCP/DTLS/SCTP` with `webrtc-datachannel`, or the legacy form.
    public var isDataChannel: Bool {
        guard kind == "application" else { return false }
        if proto == "UDP/DTLS/SCTP" || proto == "TCP/DTLS/SCTP" { return formats.contains("webrtc-datachannel") }
        return isLegacySCTP
    }

    /// The legacy form: `DTLS/SCTP <port>` with `a=sctpmap:<port> webrtc-datachannel …`.
    public var isLegacySCTP: Bool {
        kind == "application" && proto == "DTLS/SCTP" && sctpmap?.protocolName == "webrtc-datachannel"
    }

    /// A data-channel section this answerer can take: UDP, and not disabled
    /// by port 0 (unless `a=bundle-only`).
    public var isUsableDataChannel: Bool {
        isDataChannel && proto != "TCP/DTLS/SCTP" && (port != 0 || bundleOnly)
    }

    /// The SCTP port to connect to: `a=sctp-port`, else the `a=sctpmap` port, else 5000.
    public var remoteSCTPPort: Int { sctpPort ?? sctpmap?.port ?? 5_000 }

    /// The peer's max message size: its `a=max-message-size`, else 65536.
    public var remoteMaxMessageSize: Int { maxMessageSize ?? 65_536 }
}
