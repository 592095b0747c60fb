import Testing
@testable import JunctionRTC

@Suite("SDP offers from real peers")
struct SDPOfferTests {
    @Test("aiortc: one data section, three fingerprints, gathered candidates, end-of-candidates")
    func aiortc() throws {
        let offer = try SDPOffer(parsing: crlf(Fixtures.aiortcOffer))
        #expect(offer.media.count == 1)
        #expect(offer.bundleGroups == [["0"]])
        #expect(!offer.iceLite)
        let data = try #require(offer.dataChannel)
        #expect(data.line == 7)
        #expect(data.kind == "application" && data.port == 52_938 && data.proto == "UDP/DTLS/SCTP")
        #expect(data.isDataChannel && !data.isLegacySCTP)
        #expect(data.mid == "0")
        #expect(data.credentials == (try ICECredentials(ufrag: "Tz9Q", password: "pV2aW6lNzT0hQkR3mXy7Bc")))
        #expect(data.fingerprints.map(\.algorithm) == [.sha256, .sha384, .sha512])
        #expect(data.fingerprints.map(\.sdpValue) == Fixtures.certificateFingerprintLines)
        #expect(data.setup == .actpass)
        #expect(data.sctpPort == 5_000 && data.remoteSCTPPort == 5_000)
        #expect(data.maxMessageSize == 262_144 && data.remoteMaxMessageSize == 262_144)
        #expect(data.endOfCandidates)
        #expect(data.candidates.count == 3)
        let srflx = data.candidates[2]
        #expect(srflx.foundation == "5c8bd5a1f3d2e1c0b9a8f7e6d5c4b3a2")
        #expect(srflx.component == 1 && srflx.transport == "udp" && srflx.priority == 1_694_498_815)
        #expect(srflx.address == "203.0.113.7" && srflx.port == 52_938 && srflx.type == "srflx")
        #expect(srflx.relatedAddress == "172.17.0.2" && srflx.relatedPort == 52_938)
        #expect(data.candidates[1].isIPv6 && data.candidates[1].address == "fd00::2")
    }

    @Test("Chromium: mDNS host candidates, extensions kept, no end-of-candidates")
    func chromium() throws {
        let offer = try SDPOffer(parsing: crlf(Fixtures.chromiumOffer))
        let data = try #require(offer.dataChannel)
        #expect(offer.iceOptions.isEmpty)  // Chromium puts ice-options in the section
        #expect(data.credentials?.ufrag == "7sFv")
        #expect(data.fingerprints.count == 1 && data.fingerprints[0].algorithm == .sha256)
        #expect(!data.endOfCandidates)
        #expect(data.candidates.count == 4)
        let mdns = data.candidates[0]
        #expect(mdns.isMDNS && mdns.address == "2a0e5b9c-4f3a-4b8e-9c1d-7f6e5d4c3b2a.local")
        #expect(mdns.extensions == [.init(name: "generation", value: "0"), .init(name: "network-id", value: "1")])
        #expect(data.candidates[3].transport == "tcp")
        #expect(data.candidates[3].extensions.first == .init(name: "tcptype", value: "active"))
        // Written back, a candidate reads the same.
        for candidate in data.candidates {
            #expect(try ICECandidate(sdpValue: candidate.description) == candidate)
        }
    }

    @Test("Chromium with audio and video: three sections, the data one is the third")
    func chromiumAudioVideo() throws {
        let offer = try SDPOffer(parsing: crlf(Fixtures.chromiumAudioVideoData))
        #expect(offer.media.map(\.kind) == ["audio", "video", "application"])
        #expect(offer.media.map(\.mid) == ["0", "1", "2"])
        #expect(offer.media[0].formats == ["111", "63", "9", "0", "8", "13", "110", "126"])
        #expect(offer.dataChannel?.mid == "2")
        #expect(offer.bundleGroup(containing: "2") == ["0", "1", "2"])
    }

    @Test("Firefox: session-level fingerprint and ice-options are inherited")
    func firefox() throws {
        let offer = try SDPOffer(parsing: crlf(Fixtures.firefoxOffer))
        let data = try #require(offer.dataChannel)
        #expect(data.mid == "sdparta_0")
        #expect(data.fingerprints.map(\.sdpValue) == ["sha-256 \(Fixtures.certificateSHA256)"])
        #expect(offer.iceOptions == ["trickle"])
        #expect(data.credentials?.ufrag == "8b5f0e2c")
        #expect(data.maxMessageSize == 1_073_741_823)
    }

    @Test("Legacy DTLS/SCTP + a=sctpmap, credentials at session level")
    func legacy() throws {
        let offer = try SDPOffer(parsing: crlf(Fixtures.legacyOffer))
        let data = try #require(offer.dataChannel)
        #expect(data.isLegacySCTP)
        #expect(data.sctpmap == .init(port: 5_000, protocolName: "webrtc-datachannel", streams: 1_024))
        #expect(data.sctpPort == nil && data.remoteSCTPPort == 5_000)
        #expect(data.maxMessageSize == nil && data.remoteMaxMessageSize == 65_536)
        #expect(data.credentials?.ufrag == "Lg4c")
        #expect(data.setup == .active)
        #expect(data.candidates.first?.transport == "UDP")
    }

    @Test("LF and CRLF endings parse the same, with or without a final line break")
    func lineEndings() throws {
        for fixture in Fixtures.offers {
            let lf = try SDPOffer(parsing: fixture)
            #expect(try SDPOffer(parsing: crlf(fixture)) == lf)
            #expect(try SDPOffer(parsing: String(fixture.dropLast())) == lf)
            #expect(try SDPOffer(parsing: Array(crlf(fixture).utf8)) == lf)
        }
    }

    @Test("Media-level values win over session-level ones")
    func inheritance() throws {
        let text = """
            v=0
            a=ice-ufrag:sess
            a=ice-pwd:SessionPasswordSession
            a=setup:active
            a=fingerprint:sha-256 \(Fixtures.certificateSHA256)
            a=end-of-candidates
            m=application 9 UDP/DTLS/SCTP webrtc-datachannel
            a=ice-ufrag:medi
            a=setup:passive
            a=fingerprint:sha-384 \(Fixtures.certificateSHA384)
            m=application 9 UDP/DTLS/SCTP webrtc-datachannel
            """
        let offer = try SDPOffer(parsing: text)
        #expect(offer.media[0].credentials?.ufrag == "medi")
        #expect(offer.media[0].credentials?.password == "SessionPasswordSession")
        #expect(offer.media[0].setup == .passive)
        #expect(offer.media[0].fingerprints.map(\.algorithm) == [.sha384])
        #expect(offer.media[1].credentials?.ufrag == "sess")
        #expect(offer.media[1].setup == .active)
        #expect(offer.media[1].fingerprints.map(\.algorithm) == [.sha256])
        #expect(offer.media.allSatisfy { $0.endOfCandidates })
    }

    @Test("Fingerprints: hex in either case; unknown hash functions skipped, not fatal")
    func fingerprintParsing() throws {
        let lower = try DTLSFingerprint(sdpValue: "SHA-256 " + Fixtures.certificateSHA256.lowercased())
        #expect(lower.sdpValue == "sha-256 " + Fixtures.certificateSHA256)
        let text = """
            v=0
            m=application 9 UDP/DTLS/SCTP webrtc-datachannel
            a=fingerprint:md5 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF
            a=fingerprint:sha-256 \(Fixtures.certificateSHA256)
            """
        #expect(try SDPOffer(parsing: text).media[0].fingerprints == [lower])
        #expect(throws: SDPError.self) { try DTLSFingerprint(sdpValue: "md5 00:11") }
    }

    @Test("A disabled (port 0) data section is not usable unless bundle-only; TCP is not usable")
    func usability() throws {
        let base = "v=0\nm=application 0 UDP/DTLS/SCTP webrtc-datachannel\n"
        #expect(try SDPOffer(parsing: base).dataChannel == nil)
        #expect(try SDPOffer(parsing: base + "a=bundle-only\n").dataChannel != nil)
        #expect(try SDPOffer(parsing: "v=0\nm=application 9 TCP/DTLS/SCTP webrtc-datachannel\n").dataChannel == nil)
        #expect(try SDPOffer(parsing: "v=0\nm=application 9 UDP/DTLS/SCTP bfcp\n").dataChannel == nil)
    }

    @Test("An attribute whose name starts with a combining mark or a ZWJ is unknown, not the name after it")
    func combiningMarkInName() throws {
        // Read as Characters, "=\u{301}" was one and "a=\u{301}mid:zero" became a=mid:zero;
        // Fuzz/FuzzSDP.swift found "a=\u{200D}ice-ufrag:…" read as a=ice-ufrag.
        for mark in ["\u{301}", "\u{200D}"] {
            let offer = try SDPOffer(parsing: """
                v=0
                m=application 9 UDP/DTLS/SCTP webrtc-datachannel
                a=\(mark)mid:zero
                a=\(mark)ice-ufrag:Lg4c
                a=ice-pwd:Lg4cLg4cLg4cLg4cLg4cLg

                """)
            #expect(offer.media.first?.mid == nil)
            #expect(offer.media.first?.credentials == nil)
        }
    }
}
