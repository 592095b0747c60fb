import Foundation
import Testing
@testable import JunctionRTC

@Suite("DTLS fingerprints")
struct DTLSFingerprintTests {
    @Test("Fingerprints of a real certificate match what the openssl CLI printed")
    func certificateFingerprints() throws {
        let der = try #require(Data(base64Encoded: Fixtures.certificateBase64)).map { $0 }
        let sha256 = try DTLSFingerprint(certificateDER: der)
        #expect(sha256.sdpValue == "sha-256 " + Fixtures.certificateSHA256)
        for line in Fixtures.certificateFingerprintLines {
            let fingerprint = try DTLSFingerprint(sdpValue: line)
            #expect(try fingerprint.matches(certificateDER: der))
            #expect(try !fingerprint.matches(certificateDER: der.dropLast() + [0]))
        }
    }

    @Test("Written as uppercase hex with colons, the hash name as SDP spells it")
    func format() throws {
        let fingerprint = try DTLSFingerprint(algorithm: .sha1, bytes: Array(0..<20))
        #expect(fingerprint.sdpValue == "sha-1 00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:12:13")
        #expect(throws: SDPError.self) { try DTLSFingerprint(algorithm: .sha256, bytes: Array(0..<20)) }
    }
}
