import Testing
@testable import JunctionRTC

@Suite("SDP renegotiation")
struct SDPRenegotiationTests {
    private let first: SDPAnswer
    private let fresh: ICECredentials

    init() throws {
        let local = SDPAnswer.Local(
            credentials: try ICECredentials(ufrag: "Jn7Rx2Lq+Wd/Ab9K", password: "m3Vt8Qz1Lp6Yc0Hs4Nw+Bd7Fj2Rk/Xu5"),
            fingerprint: try DTLSFingerprint(sdpValue: "sha-256 " + Fixtures.certificateSHA256.lowercased()),
            candidates: [.host(address: "127.0.0.1", port: 50_000)],
            sessionID: 77)
        first = try SDPAnswer(offer: SDPOffer(parsing: crlf(Fixtures.aiortcOffer)), local: local)
        fresh = try ICECredentials(ufrag: "Restart0+Ufrag/1", password: "Restart0Password0123456789abcdef")
    }

    /// aiortc's offer with `edit` applied to its text.
    private func later(_ edit: (String) -> String) throws -> SDPOffer {
        try SDPOffer(parsing: crlf(edit(Fixtures.aiortcOffer)))
    }

    private func renegotiate(_ edit: (String) -> String) throws -> SDPAnswer {
        try SDPAnswer(renegotiating: later(edit), previous: first, restartCredentials: fresh)
    }

    private static let audioSection = """
        m=audio 9 UDP/TLS/RTP/SAVPF 111
        c=IN IP4 0.0.0.0
        a=mid:1
        a=sendrecv
        a=rtcp-mux
        a=rtpmap:111 opus/48000/2
        a=ice-ufrag:Tz9Q
        a=ice-pwd:pV2aW6lNzT0hQkR3mXy7Bc
        a=fingerprint:sha-256 \(Fixtures.certificateSHA256)
        a=setup:actpass

        """

    @Test("The same offer again: the same answer with the o= version one higher")
    func sameOffer() throws {
        let second = try renegotiate { $0 }
        #expect(second.local.sessionVersion == 3)
        #expect(!second.restartsICE(after: first))
        #expect(second.setup == first.setup)
        #expect(second.sdp == first.sdp.replacingOccurrences(of: "o=- 77 2 ", with: "o=- 77 3 "))
        let third = try SDPAnswer(renegotiating: later { $0 }, previous: second, restartCredentials: fresh)
        #expect(sdpLines(third.sdp)[1] == "o=- 77 4 IN IP4 127.0.0.1")
    }

    @Test("An added audio section is declined with port 0; the data section stays live")
    func addedAudio() throws {
        let answer = try renegotiate { $0 + Self.audioSection }
        let lines = sdpLines(answer.sdp)
        #expect(lines.contains("m=application 50000 UDP/DTLS/SCTP webrtc-datachannel"))
        #expect(lines.contains("m=audio 0 UDP/TLS/RTP/SAVPF 111"))
        #expect(lines.filter { $0 == "a=inactive" }.count == 1)
        // aiortc reads the codecs of declined sections too.
        #expect(lines.contains("a=rtpmap:111 opus/48000/2"))
        #expect(!answer.restartsICE(after: first))
        let parsed = try SDPOffer(parsing: answer.sdp)
        #expect(parsed.media.map(\.mid) == ["0", "1"])
    }

    @Test("New ICE credentials restart ICE: the answer carries fresh local credentials")
    func iceRestart() throws {
        let answer = try renegotiate {
            $0.replacingOccurrences(of: "a=ice-ufrag:Tz9Q", with: "a=ice-ufrag:Nw4K")
                .replacingOccurrences(of: "a=ice-pwd:pV2aW6lNzT0hQkR3mXy7Bc", with: "a=ice-pwd:Zr8cQ2mLx5Tb0Vn7Hd3Kp1")
        }
        #expect(answer.restartsICE(after: first))
        #expect(answer.local.credentials == fresh)
        #expect(answer.remote.credentials?.ufrag == "Nw4K")
        let lines = sdpLines(answer.sdp)
        #expect(lines.contains("a=ice-ufrag:Restart0+Ufrag/1"))
        #expect(!lines.contains("a=ice-ufrag:Jn7Rx2Lq+Wd/Ab9K"))
        #expect(lines.contains("a=candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host"))
    }

    @Test("A re-offer from the DTLS side that is already active keeps our passive role")
    func keepsPassiveRole() throws {
        let activeOffer = try later { $0.replacingOccurrences(of: "a=setup:actpass", with: "a=setup:active") }
        let passive = try SDPAnswer(offer: activeOffer, local: first.local)
        #expect(passive.setup == .passive)
        let again = try SDPAnswer(renegotiating: later { $0 }, previous: passive, restartCredentials: fresh)
        #expect(again.setup == .passive)
        #expect(sdpLines(again.sdp).contains("a=setup:passive"))
    }

    @Test(
        "Offers that need a new connection are refused",
        arguments: [
            ("a=setup:active", "a=setup:actpass", "DTLS roles"),
            ("a=mid:1", "a=mid:0", "mid changed"),
            ("a=sctp-port:5001", "a=sctp-port:5000", "SCTP port"),
            ("m=application 0 UDP/DTLS/SCTP webrtc-datachannel", "m=application 52938 UDP/DTLS/SCTP webrtc-datachannel", "no usable data-channel"),
        ])
    func refused(replacement: String, original: String, mentions: String) throws {
        let offer = try later { $0.replacingOccurrences(of: original, with: replacement) }
        #expect(throws: SDPError.self) { try SDPAnswer(renegotiating: offer, previous: first, restartCredentials: fresh) }
        do {
            _ = try SDPAnswer(renegotiating: offer, previous: first, restartCredentials: fresh)
        } catch {
            #expect(error.message.contains(mentions), "\(error)")
        }
    }

    @Test("A changed certificate fingerprint is refused")
    func fingerprintChanged() throws {
        let offer = try later { text in
            text.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.hasPrefix("a=fingerprint:sha-384") }
                .joined(separator: "\n")
        }
        do {
            _ = try SDPAnswer(renegotiating: offer, previous: first, restartCredentials: fresh)
            Issue.record("a changed fingerprint set was accepted")
        } catch {
            #expect(error.message.contains("fingerprint"))
        }
    }
}
