import Dispatch
import Testing
@testable import JunctionRTC

@Suite("DTLS transport")
struct DTLSTransportTests {
    @Test("Client and server handshake, agree on SRTP, exchange packets both ways and close with close_notify")
    func handshakeDataAndClose() async throws {
        let pair = try DTLSPair()
        pair.start()
        #expect(await pair.waitConnected(), "client \(pair.state(.client)), server \(pair.state(.server))")

        let clientProfile = pair.on(.client) { $0.selectedSRTPProfile }
        let serverProfile = pair.on(.server) { $0.selectedSRTPProfile }
        #expect(clientProfile != nil)
        #expect(clientProfile == serverProfile)
        #expect(["SRTP_AEAD_AES_128_GCM", "SRTP_AES128_CM_SHA1_80"].contains(clientProfile?.name ?? ""))
        let cipher = pair.on(.client) { $0.cipherSuite } ?? ""
        #expect(cipher.hasPrefix("ECDHE-ECDSA-"), "cipher \(cipher)")
        #expect(pair.on(.server) { $0.cipherSuite } == cipher)

        let hello = Array("hello from the client".utf8)
        let big = (0..<1200).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let bigger = (0..<16_384).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        try pair.on(.client) { dtls in
            try dtls.write(hello)
            try dtls.write(big)
        }
        try pair.on(.server) { dtls in
            try dtls.write(big.reversed())
            try dtls.write(Array("world".utf8))
            try dtls.write(bigger)
        }
        await pair.wait { pair.record(.server).packets.count == 2 && pair.record(.client).packets.count == 3 }
        #expect(pair.record(.server).packets == [hello, big])
        #expect(pair.record(.client).packets == [big.reversed(), Array("world".utf8), bigger])
        #expect(pair.on(.client) { $0.statistics.packetsWritten } == 2)
        #expect(pair.on(.client) { $0.statistics.packetsRead } == 3)

        pair.on(.client) { $0.close() }
        #expect(pair.state(.client) == .closed)
        await pair.wait { pair.state(.server) == .closed }
        #expect(pair.state(.server) == .closed)
        #expect(pair.on(.server) { $0.receivedCloseNotify })
        #expect(!pair.on(.client) { $0.receivedCloseNotify })
        #expect(pair.record(.client).states == [.connecting, .connected, .closed])
        #expect(pair.record(.server).states == [.connecting, .connected, .closed])
        // Closed: writes are refused, close is idempotent, late datagrams are counted.
        #expect(throws: DTLSError.notConnected("closed")) { try pair.on(.client) { try $0.write(hello) } }
        pair.on(.client) { $0.close() }
        #expect(pair.record(.client).states.count == 3)
    }

    @Test("A wrong remote fingerprint fails the handshake on the side that checks it", arguments: [DTLSPair.Side.client, .server])
    func wrongFingerprint(checker: DTLSPair.Side) async throws {
        let stranger = try DTLSCertificate().fingerprint(algorithm: .sha384)
        let pair =
            checker == .client
            ? try DTLSPair(clientExpects: [stranger])
            : try DTLSPair(serverExpects: [stranger])
        pair.start()
        let other: DTLSPair.Side = checker == .client ? .server : .client
        await pair.wait { pair.isFailed(checker) && (pair.isFailed(other) || pair.isConnected(other)) }
        let error = try #require(pair.failure(checker))
        guard case .fingerprintMismatch(let why) = error else {
            Issue.record("expected a fingerprint mismatch, got \(error)")
            return
        }
        #expect(why.contains("matches no fingerprint"))
        #expect(why.contains(stranger.sdpValue))
        #expect(why.contains("certificate verify failed"), "OpenSSL's reason is in the message: \(why)")
        // The other side hears the fatal alert.
        let otherError = try #require(pair.failure(other))
        #expect("\(otherError)".contains("alert"), "\(otherError)")
    }

    @Test("One matching fingerprint among several hash functions is enough; SHA-1 alone is not usable")
    func fingerprintSelection() throws {
        let certificate = try DTLSCertificate()
        let stranger = try DTLSCertificate()
        let check = try DTLSFingerprintCheck(remote: [
            try stranger.fingerprint(algorithm: .sha256), try certificate.fingerprint(algorithm: .sha1),
            try certificate.fingerprint(algorithm: .sha512),
        ])
        #expect(check.fingerprints.map(\.algorithm) == [.sha256, .sha512])
        #expect(check.mismatch(certificateDER: certificate.der) == nil)
        #expect(check.mismatch(certificateDER: stranger.der) == nil, "matches its sha-256 fingerprint")
        let why = try #require(check.mismatch(certificateDER: try DTLSCertificate().der))
        #expect(why.contains("sha-256 ") && why.contains("sha-512 "), "both usable hashes are named: \(why)")
        #expect(throws: DTLSError.noUsableFingerprint(offered: ["sha-1"])) {
            _ = try DTLSTransport(
                role: .client, certificate: certificate, remoteFingerprints: [try stranger.fingerprint(algorithm: .sha1)],
                queue: DispatchQueue(label: "test.dtls.unused")) { _ in }
        }
    }

    @Test("A lost first flight is resent by the retransmission timer", arguments: [DTLSPair.Side.client, .server])
    func retransmission(lossy: DTLSPair.Side) async throws {
        // The client's ClientHello, or the first datagram of the server's first flight, is lost.
        let pair = try DTLSPair { side, index, _ in side == lossy && index == 0 }
        pair.start()
        #expect(await pair.waitConnected(), "client \(pair.state(.client)), server \(pair.state(.server))")
        #expect(pair.on(.client) { $0.statistics.retransmissions } >= 1)
        try pair.on(.client) { try $0.write([1, 2, 3]) }
        await pair.wait { pair.record(.server).packets.count == 1 }
        #expect(pair.record(.server).packets == [[1, 2, 3]])
    }

    @Test("A handshake that never completes fails with a timeout")
    func handshakeTimeout() async throws {
        let pair = try DTLSPair(handshakeTimeout: .milliseconds(300)) { side, _, _ in side == .client }
        pair.start()
        await pair.wait(timeout: .seconds(5)) { pair.isFailed(.client) && pair.isFailed(.server) }
        #expect(pair.failure(.client) == .timeout(0.3))
        #expect(pair.failure(.server) == .timeout(0.3))
    }

    @Test("Garbage datagrams are dropped and counted; forged records are ignored; the connection carries on")
    func garbage() async throws {
        var generator = SplitMix64(state: 4)
        let noise: [[UInt8]] = [[], [0], [0x16, 0xFE]]
            + (0..<50).map { _ in (0..<Int.random(in: 1...1500, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) } }
        let pair = try DTLSPair()
        // Before start: a client takes nothing; a server starts on a DTLS record only.
        for datagram in noise { pair.on(.client) { $0.receive(datagram: datagram) } }
        for datagram in noise { pair.on(.server) { $0.receive(datagram: datagram) } }
        #expect(pair.state(.server) == .new)
        pair.start()
        for datagram in noise {
            pair.on(.client) { $0.receive(datagram: datagram) }
            pair.on(.server) { $0.receive(datagram: datagram) }
        }
        #expect(await pair.waitConnected())

        // Well-formed DTLS record headers around random bodies: OpenSSL drops them (bad epoch or MAC).
        for round in 0..<200 {
            let body = (0..<Int.random(in: 0...300, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            var record: [UInt8] = [UInt8(20 + round % 4), 0xFE, 0xFD, 0, UInt8(round % 3)]
            record += (0..<6).map { _ in UInt8.random(in: 0...255, using: &generator) }
            record += [UInt8(body.count >> 8), UInt8(body.count & 0xFF)] + body
            let forged = record
            pair.on(round % 2 == 0 ? .client : .server) { $0.receive(datagram: forged) }
        }
        #expect(pair.isConnected(.client) && pair.isConnected(.server))
        try pair.on(.client) { try $0.write(Array("still here".utf8)) }
        await pair.wait { pair.record(.server).packets.count == 1 }
        #expect(pair.record(.server).packets == [Array("still here".utf8)])

        let client = pair.on(.client) { $0.statistics }
        let server = pair.on(.server) { $0.statistics }
        let rejected = noise.filter { DTLSRecordScan.problem(in: $0) != nil }.count
        #expect(rejected >= noise.count - 2)
        #expect(client.datagramsDiscarded >= 2 * rejected)
        #expect(server.datagramsDiscarded >= 2 * rejected)
        #expect(client.lastDiscardReason != nil)
    }

    @Test("A protected record too short to carry its cipher's tag is dropped; the connection carries on",
          arguments: [UInt8(21), 22, 23])
    func shortProtectedRecords(type: UInt8) async throws {
        let pair = try DTLSPair()
        pair.start()
        #expect(await pair.waitConnected())
        for length in 0..<48 {
            for side in [DTLSPair.Side.client, .server] {
                let record: [UInt8] = [type, 0xFE, 0xFD, 0, 1, 0, 0, 0, 0, 0x10, UInt8(length), 0, UInt8(length)]
                    + [UInt8](repeating: UInt8(length), count: length)
                pair.on(side) { $0.receive(datagram: record) }
            }
            #expect(pair.isConnected(.client) && pair.isConnected(.server), "type \(type), \(length) bytes: \(pair.state(.client)) / \(pair.state(.server))")
            if !(pair.isConnected(.client) && pair.isConnected(.server)) { return }
        }
        try pair.on(.client) { try $0.write(Array("after".utf8)) }
        await pair.wait { pair.record(.server).packets.count == 1 }
        #expect(pair.record(.server).packets == [Array("after".utf8)])
    }

    @Test("The record scan accepts whole DTLS records and names what is wrong with anything else")
    func recordScan() {
        let record: [UInt8] = [22, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2, 0xAA, 0xBB]
        #expect(DTLSRecordScan.problem(in: record) == nil)
        #expect(DTLSRecordScan.problem(in: record + record) == nil)
        #expect(DTLSRecordScan.problem(in: []) == "empty datagram")
        #expect(DTLSRecordScan.problem(in: record.dropLast() + []) == "record length 2 at offset 0 runs past the datagram (14 bytes)")
        #expect(DTLSRecordScan.problem(in: record + [23]) == "1 bytes at offset 15, a DTLS record header is 13")
        #expect(DTLSRecordScan.problem(in: [0] + record.dropFirst()) == "content type 0 at offset 0 is not a DTLS record")
        #expect(DTLSRecordScan.problem(in: [22, 0x03, 0x03] + record.dropFirst(3)) == "version 771 at offset 0 is not DTLS")
        let protected: [UInt8] = [23, 0xFE, 0xFD, 0, 1, 0, 0, 0, 0, 0, 1, 0, 2, 0xAA, 0xBB]
        #expect(DTLSRecordScan.problem(in: protected) == "a 2-byte record at offset 0 in epoch 1 is shorter than the cipher's 16")
        #expect(DTLSRecordScan.problem(in: protected.prefix(11) + [0, 16] + [UInt8](repeating: 0, count: 16)) == nil)
        #expect(DTLSRecordScan.problem(in: protected.prefix(11) + [0, 16] + [UInt8](repeating: 0, count: 16), minimumProtected: 24) != nil)
        #expect(DTLSRecordScan.smallestProtectedRecord(cipher: "ECDHE-ECDSA-AES128-GCM-SHA256") == 24)
        #expect(DTLSRecordScan.smallestProtectedRecord(cipher: "ECDHE-ECDSA-CHACHA20-POLY1305") == 16)
        #expect(DTLSRecordScan.smallestProtectedRecord(cipher: "ECDHE-ECDSA-AES128-SHA") == 48)
    }

    @Test("Writes before the handshake and packets DTLS cannot carry are refused")
    func writeErrors() async throws {
        let pair = try DTLSPair()
        #expect(throws: DTLSError.notConnected("new")) { try pair.on(.client) { try $0.write([1]) } }
        pair.start()
        #expect(await pair.waitConnected())
        #expect(throws: DTLSError.self) { try pair.on(.client) { try $0.write([]) } }
        #expect(throws: DTLSError.self) { try pair.on(.client) { try $0.write([UInt8](repeating: 0, count: 16_385)) } }
        #expect(pair.isConnected(.client))
    }
}
