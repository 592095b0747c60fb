import Foundation
import JunctionRTC
import Testing
import WebhookPlugin

@Suite("Standard Webhooks signatures")
struct StandardWebhookSecretTests {
    // The reference vector of the standard-webhooks libraries (python/tests/test_webhooks.py, test_sign_function).
    static let secretText = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    static let id = "msg_p5jXN8AQM9LWM0D4loKWxJek"
    static let timestamp: Int64 = 1_614_265_330
    static let body = Array(#"{"test": 2432232314}"#.utf8)
    static let expected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    static let now = Date(timeIntervalSince1970: TimeInterval(timestamp))

    static func secret() throws -> StandardWebhookSecret { try StandardWebhookSecret(secretText) }

    @Test("sign matches the reference vector, with and without the whsec_ prefix")
    func referenceVector() throws {
        #expect(try Self.secret().sign(id: Self.id, timestamp: Self.timestamp, body: Self.body) == Self.expected)
        let bare = try StandardWebhookSecret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        #expect(try bare.sign(id: Self.id, timestamp: Self.timestamp, body: Self.body) == Self.expected)
        #expect(try Self.secret().byteCount == 24)
    }

    @Test("The reference vector verifies, and its headers come in order")
    func referenceVerifies() throws {
        let secret = try Self.secret()
        let verified = try secret.verify(
            id: Self.id, timestamp: String(Self.timestamp), signature: Self.expected, body: Self.body, now: Self.now)
        #expect(verified == VerifiedWebhook(id: Self.id, timestamp: Self.timestamp))
        let headers = try secret.headers(id: Self.id, timestamp: Self.timestamp, body: Self.body)
        #expect(headers.map(\.0) == ["webhook-id", "webhook-timestamp", "webhook-signature"])
        #expect(headers.map(\.1) == [Self.id, "1614265330", Self.expected])
        #expect(StandardWebhooks.signedContent(id: "a", timestamp: 5, body: Array("{}".utf8)) == Array("a.5.{}".utf8))
    }

    @Test("Round trip sign → verify through a header lookup; case-insensitive lookups work")
    func roundTrip() throws {
        let secret = StandardWebhookSecret.random()
        let id = WebhookID.random().rawValue
        let body = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let headers = try secret.headers(id: id, timestamp: Self.timestamp, body: body)
        let table = Dictionary(uniqueKeysWithValues: headers.map { ($0.0.uppercased(), $0.1) })
        let verified = try secret.verify(header: { table[$0.uppercased()] }, body: body, now: Self.now)
        #expect(verified.id == id)
        #expect(verified.timestamp == Self.timestamp)
    }

    @Test("A tampered body, id or timestamp, or another secret, has no matching signature")
    func tampering() throws {
        let secret = try Self.secret()
        let ts = String(Self.timestamp)
        func check(_ id: String, _ timestamp: String, _ body: [UInt8], with key: StandardWebhookSecret) {
            #expect(throws: StandardWebhookVerificationError.noMatchingSignature) {
                try key.verify(id: id, timestamp: timestamp, signature: Self.expected, body: body, now: Self.now)
            }
        }
        check(Self.id, ts, Self.body + [0x20], with: secret)
        check(Self.id, ts, Array(#"{"test": 2432232315}"#.utf8), with: secret)
        check(Self.id, ts, [], with: secret)
        check(Self.id + "x", ts, Self.body, with: secret)
        check(Self.id, String(Self.timestamp + 1), Self.body, with: secret)
        check(Self.id, ts, Self.body, with: StandardWebhookSecret.random())
        // The reference's "invalid signature": the vector with its last base64 digit changed.
        #expect(throws: StandardWebhookVerificationError.noMatchingSignature) {
            try secret.verify(id: Self.id, timestamp: ts, signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA=",
                              body: Self.body, now: Self.now)
        }
    }

    @Test("Timestamps exactly at the tolerance pass; one second beyond fails, both ways")
    func toleranceEdges() throws {
        let secret = try Self.secret()
        let t = Self.timestamp
        let signature = Self.expected
        func verify(nowOffset: Double, tolerance: Double = 300) throws(StandardWebhookVerificationError) -> VerifiedWebhook {
            try secret.verify(id: Self.id, timestamp: String(t), signature: signature, body: Self.body,
                              now: Date(timeIntervalSince1970: Double(t) + nowOffset), tolerance: tolerance)
        }
        #expect(throws: Never.self) { try verify(nowOffset: 300) }
        #expect(throws: Never.self) { try verify(nowOffset: -300) }
        #expect(throws: Never.self) { try verify(nowOffset: 300.5, tolerance: 301) }
        #expect(throws: StandardWebhookVerificationError.timestampTooOld(timestamp: t)) { try verify(nowOffset: 301) }
        #expect(throws: StandardWebhookVerificationError.timestampTooOld(timestamp: t)) { try verify(nowOffset: 300.001) }
        #expect(throws: StandardWebhookVerificationError.timestampTooNew(timestamp: t)) { try verify(nowOffset: -301) }
        #expect(throws: StandardWebhookVerificationError.timestampTooOld(timestamp: t)) { try verify(nowOffset: 11, tolerance: 10) }
        #expect(throws: Never.self) { try verify(nowOffset: 0, tolerance: 0) }
        #expect(throws: StandardWebhookVerificationError.timestampTooNew(timestamp: t)) { try verify(nowOffset: -1, tolerance: .nan) }
        // The default window is the spec's five minutes, measured from the real clock.
        let fresh = try secret.headers(id: Self.id, timestamp: Int64(Date().timeIntervalSince1970) - 600, body: Self.body)
        #expect(throws: StandardWebhookVerificationError.self) {
            try secret.verify(id: fresh[0].1, timestamp: fresh[1].1, signature: fresh[2].1, body: Self.body)
        }
    }

    @Test("Missing or empty headers and non-integer timestamps are named")
    func missingHeaders() throws {
        let secret = try Self.secret()
        let ts = String(Self.timestamp)
        func error(_ id: String?, _ timestamp: String?, _ signature: String?) -> StandardWebhookVerificationError? {
            do {
                _ = try secret.verify(id: id, timestamp: timestamp, signature: signature, body: Self.body, now: Self.now)
                return nil
            } catch {
                return error
            }
        }
        #expect(error(nil, ts, Self.expected) == .missingHeader("webhook-id"))
        #expect(error("", ts, Self.expected) == .missingHeader("webhook-id"))
        #expect(error(Self.id, nil, Self.expected) == .missingHeader("webhook-timestamp"))
        #expect(error(Self.id, ts, nil) == .missingHeader("webhook-signature"))
        #expect(error(Self.id, ts, "") == .missingHeader("webhook-signature"))
        for bad in ["hello", "1614265330.0", "-1614265330", "+1614265330", " 1614265330", "0x60376", "12345678901234567890"] {
            #expect(error(Self.id, bad, Self.expected) == .invalidTimestamp, "\(bad)")
        }
        #expect(error(nil, nil, nil)?.description == "missing header webhook-id")
    }

    @Test("Several signatures: any v1 entry may match; other versions and malformed entries are skipped")
    func multipleSignatures() throws {
        let secret = try Self.secret()
        let ts = String(Self.timestamp)
        let wrong = "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc="
        let valid = String(Self.expected.dropFirst(3))
        func passes(_ header: String) -> Bool {
            (try? secret.verify(id: Self.id, timestamp: ts, signature: header, body: Self.body, now: Self.now)) != nil
        }
        #expect(passes([wrong, "v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=", Self.expected, wrong].joined(separator: " ")))
        #expect(passes("v1a,xyz v1 ,, v1,!!!! \(Self.expected)"))
        #expect(passes("  \(wrong)   \(Self.expected)  "))
        #expect(!passes("v2,\(valid)"))
        #expect(!passes("v1a,\(valid)"))
        #expect(!passes(valid))
        #expect(!passes("\(wrong) \(wrong)"))
        #expect(!passes("v1,\(valid.dropLast(2))"))
        #expect(!passes("v1,\(valid)AAAA"))
    }

    @Test("Bad secrets are refused with a clear error; unpadded base64 is fine")
    func badSecrets() throws {
        #expect(throws: StandardWebhookSecretError.empty) { try StandardWebhookSecret("") }
        #expect(throws: StandardWebhookSecretError.empty) { try StandardWebhookSecret("whsec_") }
        #expect(throws: StandardWebhookSecretError.empty) { try StandardWebhookSecret(bytes: []) }
        for bad in ["whsec_!!!!", "whsec_abc def", "not base64 at all", "whsec_A", "whsec_=A==", "whsec_whsec_AAAA"] {
            #expect(throws: StandardWebhookSecretError.invalidBase64, "\(bad)") { try StandardWebhookSecret(bad) }
        }
        let key = Array(0..<32 as Range<UInt8>)
        let padded = try StandardWebhookSecret(bytes: key).encoded
        #expect(padded.hasSuffix("="))
        let unpadded = try StandardWebhookSecret(String(padded.drop { $0 != "_" }.dropFirst().prefix { $0 != "=" }))
        #expect(try unpadded.sign(id: "a", timestamp: 1, body: []) == StandardWebhookSecret(bytes: key).sign(id: "a", timestamp: 1, body: []))
        #expect(try StandardWebhookSecret(Self.secretText + "==").sign(id: "a", timestamp: 1, body: []) == Self.secret().sign(id: "a", timestamp: 1, body: []))
        #expect(throws: StandardWebhookSecretError.empty) { try StandardWebhookSecret("whsec_==") }
        #expect(StandardWebhookSecretError.invalidBase64.description.contains("base64"))
        #expect(StandardWebhookSecret.random().byteCount == 32)
        #expect(StandardWebhookSecret.random(byteCount: 64).byteCount == 64)
    }

    @Test("The key shows nowhere: description, reflection, dump, enclosing values, config docs, errors")
    func secretStaysSecret() throws {
        let secret = try Self.secret()
        let key = "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        var dumped = ""
        dump(secret, to: &dumped)
        struct Wrapper { var url = "https://x"; var secret: StandardWebhookSecret }
        let texts = [
            "\(secret)", String(reflecting: secret), dumped, "\(Wrapper(secret: secret))", String(reflecting: [secret]),
            secret.configDescription, "\(Optional(secret) as Any)",
        ]
        for text in texts {
            #expect(!text.contains(key), "\(text)")
            #expect(!text.contains("MfKQ"), "\(text)")
        }
        #expect("\(secret)".contains("redacted"))
        #expect(secret.encoded == Self.secretText)
    }

    @Test("A secret decodes from routes.yaml; a bad one is a config error that does not quote it")
    func decoding() throws {
        let holder = try decode(SecretHolder.self, "secret: \(Self.secretText)\nname: x")
        #expect(try holder.secret?.sign(id: Self.id, timestamp: Self.timestamp, body: Self.body) == Self.expected)
        let error = decodeError(SecretHolder.self, "secret: whsec_MfKQ9r8GKYqrTwjU!!D8ILPZIo2LaLaSw")
        #expect(error != nil)
        #expect(error?.description.contains("MfKQ9r8") == false)
        #expect(error?.description.contains("base64") == true)
        #expect(error?.location?.line == 1)
        #expect(decodeError(SecretHolder.self, "secret: \"\"")?.description.contains("empty") == true)
    }

    @Test("HMAC.equal compares whole byte strings")
    func constantTimeEqual() {
        let a: [UInt8] = Array(repeating: 0xAB, count: 32)
        var b = a
        #expect(HMAC.equal(a, b))
        b[31] ^= 1
        #expect(!HMAC.equal(a, b))
        b = a
        b[0] ^= 0x80
        #expect(!HMAC.equal(a, b))
        #expect(!HMAC.equal(a, Array(a.dropLast())))
        #expect(!HMAC.equal([], [0]))
        #expect(HMAC.equal([], []))
    }
}
