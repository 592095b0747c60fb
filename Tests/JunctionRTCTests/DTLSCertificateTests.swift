import Foundation
import Testing
@testable import JunctionRTC

@Suite("DTLS certificates")
struct DTLSCertificateTests {
    @Test("A generated certificate is self-signed ECDSA P-256 with SHA-256, a random CN and serial, valid −1 h … +30 d")
    func generated() throws {
        let certificate = try DTLSCertificate()
        let text = try openssl(["x509", "-inform", "DER", "-noout", "-text", "-dates", "-serial"], input: certificate.der)
        #expect(text.contains("Signature Algorithm: ecdsa-with-SHA256"))
        #expect(text.contains("id-ecPublicKey"))
        #expect(text.contains("prime256v1"))
        #expect(text.contains("Version: 1 (0x0)"))
        #expect(text.contains("Subject: CN = \(certificate.commonName)"))
        #expect(text.contains("Issuer: CN = \(certificate.commonName)"))
        #expect(certificate.commonName.count == 32 && certificate.commonName.allSatisfy(\.isHexDigit))
        let serial = try #require(text.split(separator: "\n").first { $0.hasPrefix("serial=") }).dropFirst("serial=".count)
        #expect(serial.count == 32, "16-byte serial, got \(serial)")

        let now = Date()
        let notBefore = try #require(date(after: "notBefore=", in: text))
        let notAfter = try #require(date(after: "notAfter=", in: text))
        #expect(abs(notBefore.timeIntervalSince(now) + 3600) < 120)
        #expect(abs(notAfter.timeIntervalSince(now) - 30 * 86_400) < 120)

        // The signature verifies with the certificate's own key.
        let pem = try openssl(["x509", "-inform", "DER"], input: certificate.der)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("dtls-\(certificate.commonName).pem")
        try Data(pem.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let verified = try openssl(["verify", "-check_ss_sig", "-CAfile", file.path, file.path], input: [])
        #expect(verified.contains("OK"))
    }

    @Test("Fingerprints are the digests of the DER, in SDP form, and every certificate is new")
    func fingerprints() throws {
        let one = try DTLSCertificate()
        let two = try DTLSCertificate(validityDays: 365)
        #expect(one.der != two.der)
        #expect(one.commonName != two.commonName)
        for algorithm in OpenSSLDigest.allCases {
            let fingerprint = try one.fingerprint(algorithm: algorithm)
            #expect(fingerprint.bytes == (try algorithm.hash(one.der)))
            #expect(fingerprint.sdpValue.hasPrefix(algorithm.rawValue + " "))
            #expect(fingerprint.hex.count == algorithm.length * 3 - 1)
            #expect(fingerprint.hex == fingerprint.hex.uppercased())
            #expect(try fingerprint.matches(certificateDER: one.der))
            #expect(try !fingerprint.matches(certificateDER: two.der))
        }
        let sha256 = try one.fingerprint()
        let cli = try openssl(["x509", "-inform", "DER", "-noout", "-fingerprint", "-sha256"], input: one.der)
        #expect(cli.trimmingCharacters(in: .whitespacesAndNewlines) == "sha256 Fingerprint=\(sha256.hex)")
        #expect(throws: OpenSSLError.self) { try DTLSCertificate(validityDays: 0) }
    }

    /// Runs the openssl CLI with `input` on stdin; throws unless it exits 0.
    private func openssl(_ arguments: [String], input: [UInt8]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stdout
        try process.run()
        stdin.fileHandleForWriting.write(Data(input))
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: output, as: UTF8.self)
        guard process.terminationStatus == 0 else { throw OpenSSLError(function: "openssl \(arguments[0])", reason: text) }
        return text
    }

    /// The date on the line starting with `prefix` ("notBefore=Mar  9 12:00:00 2026 GMT").
    private func date(after prefix: String, in text: String) -> Date? {
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) else { return nil }
        let value = line.dropFirst(prefix.count).split(separator: " ").joined(separator: " ")
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "MMM d HH:mm:ss yyyy zzz"
        return formatter.date(from: value)
    }
}
