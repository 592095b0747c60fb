/// Offers as real peers write them. Written here with LF; tests turn them
/// into CRLF (what the peers send) with `crlf(_:)` and also feed them as is.
enum Fixtures {
    /// An ECDSA P-256 self-signed certificate (DER, base64) made with the openssl CLI,
    /// and the fingerprints `openssl x509 -fingerprint` printed for it.
    static let certificateBase64 = """
        MIIBhjCCAS2gAwIBAgIULDyhl3nILT/DyT+uIyFUtuxhj1YwCgYIKoZIzj0EAwIwGTEXMBUGA1UEAwwOYWlvcnRjLWZpeHR1cmUwHhcNMjYxMTIzMTUxOTA5Wh\
        cNMjYxMjIzMTUxOTA5WjAZMRcwFQYDVQQDDA5haW9ydGMtZml4dHVyZTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABP4jLsTUe3usQDMXY2rLGAoEDFlsDnG/\
        DRPdDRMVhrT9S/BkISJvD0O0j2gbzVpV/LaP6K/SMz1Ze/9IcXo9uVyjUzBRMB0GA1UdDgQWBBS4SotxQ1APgK20EpG6VTkqGCKeAjAfBgNVHSMEGDAWgBS4So\
        txQ1APgK20EpG6VTkqGCKeAjAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0cAMEQCIH1rzrNLScTwTWJ6rBmlaNukApCyhKTT9BtmZCTyIotxAiAhqwXHmv\
        0eLppPDekPudCPghW//bDGmNKWytXodcjrjA==
        """
    static let certificateSHA256 = "27:02:14:FA:5F:FC:00:83:31:67:73:DE:72:90:7C:2A:BE:C1:D5:5B:AD:16:85:DB:0C:2C:08:BF:85:C6:96:7E"
    static let certificateSHA384 =
        "BA:6F:6A:34:5A:DA:FF:03:4B:E0:0B:EF:4E:2F:E3:6C:3B:45:64:6D:E7:A4:E4:0A:92:A6:6E:AB:C4:68:97:B3:CA:66:85:7B:CC:53:48:8C:23:C7:EF:FE:25:30:0C:C7"
    static let certificateSHA512 =
        "90:D0:FE:1F:96:67:58:13:43:15:7B:67:EA:34:E7:0D:D6:6B:75:1E:17:CD:DA:C0:31:D9:A0:AC:81:FE:5A:F0:07:6A:7E:1A:CD:2B:47:7F:15:AB:B9:CB:96:D5:F0:43:C3:95:81:8E:68:98:7C:AC:ED:E4:9D:33:D8:24:ED:2E"
    static let certificateFingerprintLines = [
        "sha-256 \(certificateSHA256)",
        "sha-384 \(certificateSHA384)",
        "sha-512 \(certificateSHA512)",
    ]

    /// Every offer fixture.
    static let offers = [aiortcOffer, chromiumOffer, chromiumAudioVideoData, firefoxOffer, legacyOffer]

    /// aiortc 1.16 as offerer with one data channel: all candidates gathered
    /// (host and srflx) then a=end-of-candidates, credentials and three
    /// fingerprints after them, setup actpass (the order of aiortc's sdp.py).
    static let aiortcOffer = """
        v=0
        o=- 3941294125 3941294125 IN IP4 0.0.0.0
        s=-
        t=0 0
        a=group:BUNDLE 0
        a=msid-semantic:WMS *
        m=application 52938 UDP/DTLS/SCTP webrtc-datachannel
        c=IN IP4 172.17.0.2
        a=mid:0
        a=sctp-port:5000
        a=max-message-size:262144
        a=candidate:9a8c1f1b2dc5f2c3c0bb2a1e8c3b1e44 1 udp 2130706431 172.17.0.2 52938 typ host
        a=candidate:0d5e9f3f1c0e4b8a8f6d2c1b0a9e8d7c 1 udp 2130706431 fd00::2 41877 typ host
        a=candidate:5c8bd5a1f3d2e1c0b9a8f7e6d5c4b3a2 1 udp 1694498815 203.0.113.7 52938 typ srflx raddr 172.17.0.2 rport 52938
        a=end-of-candidates
        a=ice-ufrag:Tz9Q
        a=ice-pwd:pV2aW6lNzT0hQkR3mXy7Bc
        a=fingerprint:sha-256 \(certificateSHA256)
        a=fingerprint:sha-384 \(certificateSHA384)
        a=fingerprint:sha-512 \(certificateSHA512)
        a=setup:actpass

        """

    /// Chromium's localDescription for a data-only connection once gathering
    /// finished: mDNS host candidates, no a=end-of-candidates, one sha-256
    /// fingerprint per section (Chromium sends only sha-256).
    static let chromiumOffer = """
        v=0
        o=- 4215775240449105457 2 IN IP4 127.0.0.1
        s=-
        t=0 0
        a=group:BUNDLE 0
        a=extmap-allow-mixed
        a=msid-semantic: WMS
        m=application 54400 UDP/DTLS/SCTP webrtc-datachannel
        c=IN IP4 198.51.100.23
        a=candidate:1467250027 1 udp 2122260223 2a0e5b9c-4f3a-4b8e-9c1d-7f6e5d4c3b2a.local 54400 typ host generation 0 network-id 1
        a=candidate:3374522931 1 udp 2122262783 7d1c6a3e-0b5f-4e2d-8c9a-1f2e3d4c5b6a.local 51022 typ host generation 0 network-id 2
        a=candidate:1853887674 1 udp 1686052607 198.51.100.23 54400 typ srflx raddr 0.0.0.0 rport 0 generation 0 network-id 1
        a=candidate:3947237195 1 tcp 1518280447 9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a.local 9 typ host tcptype active generation 0 network-id 1
        a=ice-ufrag:7sFv
        a=ice-pwd:gUVTvrFKz0P8Xr1wH7YQ1mNk
        a=ice-options:trickle
        a=fingerprint:sha-256 \(certificateSHA256)
        a=setup:actpass
        a=mid:0
        a=sctp-port:5000
        a=max-message-size:262144

        """

    /// Chromium with a microphone, a camera and a data channel, all bundled
    /// on mid 0 (audio): the answer must reject audio and video.
    static let chromiumAudioVideoData = """
        v=0
        o=- 8608212338412458402 2 IN IP4 127.0.0.1
        s=-
        t=0 0
        a=group:BUNDLE 0 1 2
        a=extmap-allow-mixed
        a=msid-semantic: WMS 5b1c0c4e-6f2a-4d3b-9e8f-7a6b5c4d3e2f
        m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126
        c=IN IP4 0.0.0.0
        a=rtcp:9 IN IP4 0.0.0.0
        a=ice-ufrag:Qb3x
        a=ice-pwd:Xk2n8Qp4Rw6Ty0Uv1Ws3Ab5C
        a=ice-options:trickle
        a=fingerprint:sha-256 \(certificateSHA256)
        a=setup:actpass
        a=mid:0
        a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level
        a=sendrecv
        a=rtcp-mux
        a=rtpmap:111 opus/48000/2
        a=fmtp:111 minptime=10;useinbandfec=1
        m=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103
        c=IN IP4 0.0.0.0
        a=rtcp:9 IN IP4 0.0.0.0
        a=ice-ufrag:Qb3x
        a=ice-pwd:Xk2n8Qp4Rw6Ty0Uv1Ws3Ab5C
        a=ice-options:trickle
        a=fingerprint:sha-256 \(certificateSHA256)
        a=setup:actpass
        a=mid:1
        a=sendrecv
        a=rtcp-mux
        a=rtcp-rsize
        a=rtpmap:96 VP8/90000
        m=application 9 UDP/DTLS/SCTP webrtc-datachannel
        c=IN IP4 0.0.0.0
        a=ice-ufrag:Qb3x
        a=ice-pwd:Xk2n8Qp4Rw6Ty0Uv1Ws3Ab5C
        a=ice-options:trickle
        a=fingerprint:sha-256 \(certificateSHA256)
        a=setup:actpass
        a=mid:2
        a=sctp-port:5000
        a=max-message-size:262144

        """

    /// Firefox: fingerprint, ice-options and BUNDLE at session level,
    /// credentials and setup in the section, mid `sdparta_0`.
    static let firefoxOffer = """
        v=0
        o=mozilla...THIS_IS_SDPARTA-99.0 3102399464578410392 0 IN IP4 0.0.0.0
        s=-
        t=0 0
        a=fingerprint:sha-256 \(certificateSHA256)
        a=group:BUNDLE sdparta_0
        a=ice-options:trickle
        a=msid-semantic:WMS *
        m=application 9 UDP/DTLS/SCTP webrtc-datachannel
        c=IN IP4 0.0.0.0
        a=sendrecv
        a=ice-pwd:0d5b1fe4a9a6e8e3c0f2d9b7a1c3e5f7
        a=ice-ufrag:8b5f0e2c
        a=mid:sdparta_0
        a=setup:actpass
        a=sctp-port:5000
        a=max-message-size:1073741823

        """

    /// The pre-RFC 8841 form that aiortc still parses.
    static let legacyOffer = """
        v=0
        o=- 1 2 IN IP4 127.0.0.1
        s=-
        t=0 0
        a=group:BUNDLE data
        a=ice-ufrag:Lg4c
        a=ice-pwd:Lg4cLg4cLg4cLg4cLg4cLg
        m=application 9 DTLS/SCTP 5000
        c=IN IP4 0.0.0.0
        a=mid:data
        a=fingerprint:sha-256 \(certificateSHA256)
        a=setup:active
        a=sctpmap:5000 webrtc-datachannel 1024
        a=candidate:1 1 UDP 2130706431 192.0.2.5 40000 typ host

        """
}
