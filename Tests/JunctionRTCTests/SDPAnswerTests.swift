import Testing
@testable import JunctionRTC

@Suite("SDP answers")
struct SDPAnswerTests {
    private let credentials: ICECredentials
    private let fingerprint: DTLSFingerprint
    private let local: SDPAnswer.Local

    init() throws {
        credentials = try ICECredentials(ufrag: "Jn7Rx2Lq+Wd/Ab9K", password: "m3Vt8Qz1Lp6Yc0Hs4Nw+Bd7Fj2Rk/Xu5")
        fingerprint = try DTLSFingerprint(sdpValue: "sha-256 " + Fixtures.certificateSHA256.lowercased())
        local = SDPAnswer.Local(
            credentials: credentials, fingerprint: fingerprint,
            candidates: [.host(address: "127.0.0.1", port: 50_000), .host(address: "192.0.2.10", port: 50_001, foundation: "2")],
            sessionID: 4_611_686_018_427_387_904
        )
    }

    @Test("aiortc's offer gets exactly the answer the research note describes")
    func aiortc() throws {
        let answer = try SDPAnswer(offer: SDPOffer(parsing: crlf(Fixtures.aiortcOffer)), local: local)
        let expected = """
            v=0
            o=- 4611686018427387904 2 IN IP4 127.0.0.1
            s=-
            t=0 0
            a=group:BUNDLE 0
            a=ice-lite
            m=application 50000 UDP/DTLS/SCTP webrtc-datachannel
            c=IN IP4 127.0.0.1
            a=mid:0
            a=ice-ufrag:Jn7Rx2Lq+Wd/Ab9K
            a=ice-pwd:m3Vt8Qz1Lp6Yc0Hs4Nw+Bd7Fj2Rk/Xu5
            a=fingerprint:sha-256 \(Fixtures.certificateSHA256)
            a=setup:active
            a=sctp-port:5000
            a=max-message-size:262144
            a=candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host
            a=candidate:2 1 udp 2130706431 192.0.2.10 50001 typ host
            a=end-of-candidates

            """
        #expect(answer.sdp == crlf(expected))
        #expect(answer.setup == .active)
        #expect(answer.remote.mid == "0")
        #expect(answer.remote.credentials?.ufrag == "Tz9Q")
        #expect(answer.remote.fingerprints.count == 3)
    }

    @Test("The answer reads back: ice-lite, one live section, our credentials and candidates")
    func readsBack() throws {
        let answer = try SDPAnswer(offer: SDPOffer(parsing: crlf(Fixtures.chromiumOffer)), local: local)
        #expect(answer.sdp.hasSuffix("\r\n") && !answer.sdp.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        let parsed = try SDPOffer(parsing: answer.sdp)
        #expect(parsed.iceLite)
        #expect(parsed.bundleGroups == [["0"]])
        let data = try #require(parsed.dataChannel)
        #expect(data.credentials == credentials)
        #expect(data.fingerprints == [fingerprint])
        #expect(data.setup == .active)
        #expect(data.maxMessageSize == 262_144)
        #expect(data.candidates == local.candidates)
        #expect(data.endOfCandidates)
    }

    @Test("Audio and video are echoed with port 0, inactive, out of BUNDLE; mids keep their order")
    func rejectsMedia() throws {
        let offer = try SDPOffer(parsing: crlf(Fixtures.chromiumAudioVideoData))
        let answer = try SDPAnswer(offer: offer, local: local)
        let lines = sdpLines(answer.sdp)
        #expect(lines.filter { $0.hasPrefix("a=group:") } == ["a=group:BUNDLE 2"])
        #expect(lines.filter { $0.hasPrefix("m=") } == [
            "m=audio 0 UDP/TLS/RTP/SAVPF 111",
            "m=video 0 UDP/TLS/RTP/SAVPF 96",
            "m=application 50000 UDP/DTLS/SCTP webrtc-datachannel",
        ])
        let parsed = try SDPOffer(parsing: answer.sdp)
        #expect(parsed.media.map(\.kind) == offer.media.map(\.kind))
        #expect(parsed.media.map(\.mid) == offer.media.map(\.mid))
        // Sections aiortc would validate carry credentials and a definite setup.
        for section in parsed.media {
            #expect(section.credentials == credentials)
            #expect(section.setup == .active)
        }
        let audio = try #require(lines.firstIndex(of: "m=audio 0 UDP/TLS/RTP/SAVPF 111"))
        #expect(Array(lines[audio + 1...audio + 3]) == ["c=IN IP4 0.0.0.0", "a=mid:0", "a=inactive"])
        #expect(lines[audio...].prefix(while: { !$0.hasPrefix("m=video") }).contains("a=rtcp-mux"))
        // Only the live section has candidates.
        #expect(parsed.media[0].candidates.isEmpty && parsed.media[2].candidates.count == 2)
    }

    @Test("A second data section is rejected too; only the first usable one is live")
    func secondDataSection() throws {
        let text = Fixtures.aiortcOffer + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\na=mid:1\n"
        let answer = try SDPAnswer(offer: SDPOffer(parsing: text), local: local)
        let lines = sdpLines(answer.sdp)
        #expect(lines.contains("m=application 0 UDP/DTLS/SCTP webrtc-datachannel"))
        #expect(lines.filter { $0 == "a=end-of-candidates" }.count == 1)
    }

    @Test("Legacy offer with setup:active: legacy answer, setup passive, no BUNDLE change")
    func legacy() throws {
        let answer = try SDPAnswer(offer: SDPOffer(parsing: crlf(Fixtures.legacyOffer)), local: local)
        let lines = sdpLines(answer.sdp)
        #expect(answer.setup == .passive)
        #expect(lines.contains("m=application 50000 DTLS/SCTP 5000"))
        #expect(lines.contains("a=sctpmap:5000 webrtc-datachannel 65535"))
        #expect(!lines.contains { $0.hasPrefix("a=sctp-port") })
        #expect(lines.contains("a=setup:passive"))
        #expect(lines.contains("a=group:BUNDLE data"))
    }

    @Test("Setup: actpass and passive answer active, active answers passive, none is taken as actpass")
    func setupRoles() throws {
        #expect(SDPSetupRole.actpass.answer == .active)
        #expect(SDPSetupRole.passive.answer == .active)
        #expect(SDPSetupRole.active.answer == .passive)
        #expect(SDPSetupRole.holdconn.answer == nil)
        let noSetup = Fixtures.aiortcOffer.replacingOccurrences(of: "a=setup:actpass\n", with: "")
        #expect(try SDPAnswer(offer: SDPOffer(parsing: noSetup), local: local).setup == .active)
    }

    @Test("Without candidates: port 9, c=0.0.0.0, no end-of-candidates (trickle later); IPv6 first gives IN IP6")
    func candidates() throws {
        let offer = try SDPOffer(parsing: Fixtures.aiortcOffer)
        var trickle = local
        trickle.candidates = []
        let lines = sdpLines(try SDPAnswer(offer: offer, local: trickle).sdp)
        #expect(lines.contains("m=application 9 UDP/DTLS/SCTP webrtc-datachannel"))
        #expect(lines.contains("c=IN IP4 0.0.0.0"))
        #expect(!lines.contains("a=end-of-candidates") && !lines.contains { $0.hasPrefix("a=candidate") })
        var v6 = local
        v6.candidates = [.host(address: "::1", port: 40_000)]
        #expect(sdpLines(try SDPAnswer(offer: offer, local: v6).sdp).contains("c=IN IP6 ::1"))
    }

    @Test("Offers that cannot be answered say why", arguments: [
        ("v=0\nm=audio 9 UDP/TLS/RTP/SAVPF 111\n", SDPError.Kind.missing, "no usable data-channel section"),
        (
            "v=0\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\na=fingerprint:sha-256 \(Fixtures.certificateSHA256)\n",
            .missing, "a=ice-ufrag and a=ice-pwd"
        ),
        (
            "v=0\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\na=ice-ufrag:abcd\na=ice-pwd:abcdefghijklmnopqrstuv\n",
            .missing, "no a=fingerprint"
        ),
        (
            "v=0\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\na=ice-ufrag:abcd\na=ice-pwd:abcdefghijklmnopqrstuv\n"
                + "a=fingerprint:sha-256 \(Fixtures.certificateSHA256)\na=setup:holdconn\n",
            .unsupported, "holdconn"
        ),
    ])
    func unanswerable(text: String, kind: SDPError.Kind, mentions: String) throws {
        do {
            _ = try SDPAnswer(offer: SDPOffer(parsing: text), local: local)
            Issue.record("answered")
        } catch {
            #expect(error.kind == kind)
            #expect(error.description.contains(mentions), "\(error)")
        }
    }

    @Test("Random credentials: valid lengths, only ice-chars, never the same twice")
    func randomCredentials() throws {
        var seen = Set<String>()
        for _ in 0..<50 {
            let random = try ICECredentials.random()
            #expect(random.ufrag.utf8.count == 16 && random.password.utf8.count == 32)
            #expect(try ICECredentials(ufrag: random.ufrag, password: random.password) == random)
            #expect(seen.insert(random.ufrag).inserted)
            #expect(!random.description.contains(random.password))
        }
    }

    @Test("Host candidate priority follows RFC 8445 (2130706431 for component 1)")
    func hostPriority() {
        #expect(ICECandidate.host(address: "10.0.0.1", port: 1).priority == 2_130_706_431)
        #expect(ICECandidate.host(address: "10.0.0.1", port: 1, component: 2).priority == 2_130_706_430)
        #expect(ICECandidate.priority(typePreference: 110, localPreference: 65_535, component: 1) == 1_862_270_975)
    }
}
