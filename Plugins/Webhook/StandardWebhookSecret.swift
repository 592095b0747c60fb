import Foundation
import Junction
import JunctionRTC

/// The symmetric key of a Standard Webhooks endpoint, written `whsec_<base64>`
/// (a bare base64 secret is accepted too). Signs outgoing webhooks and
/// verifies incoming ones.
///
/// The key never shows in `description`, `debugDescription`, `dump` or
/// `junction plugins` output; only ``encoded`` reveals it.
///
/// ```swift
/// let secret = try StandardWebhookSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
/// let signature = try secret.sign(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330,
///                                 body: Array(#"{"test": 2432232314}"#.utf8))
/// // "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
/// let verified = try secret.verify(header: request.header, body: request.body)
/// ```
///
/// In routes.yaml it decodes from a string, usually from the environment:
///
/// ```yaml
/// sinks:
///   ops: { type: webhook, url: https://ops.example/hook, secret: "${HOOK_SECRET}" }
/// ```
public struct StandardWebhookSecret: Sendable, Decodable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable, ConfigDescribable
{
    /// The prefix that marks a Standard Webhooks secret.
    public static let prefix = "whsec_"

    private let key: [UInt8]

    /// Parses `whsec_<base64>` or bare standard base64 (padding optional;
    /// no whitespace, no URL-safe alphabet).
    /// The spec recommends 24 to 64 bytes of key; any non-empty key is taken.
    ///
    /// ```swift
    /// let a = try StandardWebhookSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    /// let b = try StandardWebhookSecret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")   // the same key
    /// ```
    public init(_ text: String) throws(StandardWebhookSecretError) {
        var encoded = Substring(text)
        if encoded.hasPrefix(Self.prefix) { encoded = encoded.dropFirst(Self.prefix.count) }
        // Padding is optional (and, as in the reference libraries, extra padding is forgiven).
        while encoded.hasSuffix("=") { encoded = encoded.dropLast() }
        guard !encoded.isEmpty else { throw .empty }
        let padded = String(encoded) + String(repeating: "=", count: (4 - encoded.utf8.count % 4) % 4)
        guard let data = Data(base64Encoded: padded) else { throw .invalidBase64 }
        try self.init(bytes: Array(data))
    }

    /// A secret from raw key bytes.
    ///
    /// ```swift
    /// let secret = try StandardWebhookSecret(bytes: Array(repeating: 7, count: 32))
    /// ```
    public init(bytes: [UInt8]) throws(StandardWebhookSecretError) {
        guard !bytes.isEmpty else { throw .empty }
        key = bytes
    }

    /// A new secret of `byteCount` random bytes (default 32; the spec asks
    /// for 24 to 64) from the system's secure generator.
    ///
    /// ```swift
    /// print(StandardWebhookSecret.random().encoded)   // whsec_…, for a new endpoint
    /// ```
    public static func random(byteCount: Int = 32) -> StandardWebhookSecret {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<max(1, byteCount)).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return StandardWebhookSecret(checked: bytes)
    }

    private init(checked bytes: [UInt8]) { key = bytes }

    /// Decodes from a routes.yaml string; a bad secret is a config error that
    /// does not quote the value.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(text)
        } catch {
            throw ConfigDiagnostic(
                error.description, at: decoder.configLocation,
                hint: "give whsec_ followed by the base64 key, e.g. from `openssl rand -base64 32`")
        }
    }

    /// The secret in its `whsec_<base64>` form. This reveals the key: only for
    /// showing a freshly generated secret to its owner.
    ///
    /// ```swift
    /// let text = StandardWebhookSecret.random().encoded
    /// ```
    public var encoded: String { Self.prefix + Data(key).base64EncodedString() }

    /// The key's length in bytes.
    public var byteCount: Int { key.count }

    /// The `webhook-signature` value for one message:
    /// `v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>`.
    /// Throws only when OpenSSL fails.
    ///
    /// ```swift
    /// let value = try secret.sign(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: body)
    /// ```
    public func sign(id: String, timestamp: Int64, body: [UInt8]) throws(OpenSSLError) -> String {
        StandardWebhooks.signatureVersion + "," + Data(try mac(id: id, timestamp: timestamp, body: body)).base64EncodedString()
    }

    /// The three Standard Webhooks headers for one attempt, in order:
    /// `webhook-id`, `webhook-timestamp`, `webhook-signature`.
    ///
    /// ```swift
    /// let now = Int64(Date().timeIntervalSince1970)
    /// let request = HTTPClientRequest(method: "POST", url: url,
    ///     headers: try secret.headers(id: id, timestamp: now, body: body) + [("Content-Type", "application/json")],
    ///     body: body)
    /// ```
    public func headers(id: String, timestamp: Int64, body: [UInt8]) throws(OpenSSLError) -> [(String, String)] {
        [
            (StandardWebhooks.idHeader, id),
            (StandardWebhooks.timestampHeader, String(timestamp)),
            (StandardWebhooks.signatureHeader, try sign(id: id, timestamp: timestamp, body: body)),
        ]
    }

    /// Verifies a received webhook from its three header values and its raw
    /// body: every header present, the timestamp within `tolerance` seconds
    /// of `now` either way (a timestamp exactly `tolerance` away passes), and
    /// at least one `v1,…` entry of `signature` equal to the expected MAC,
    /// compared in constant time. Entries of other versions and malformed
    /// entries are skipped.
    ///
    /// ```swift
    /// let verified = try secret.verify(
    ///     id: headers["webhook-id"], timestamp: headers["webhook-timestamp"],
    ///     signature: headers["webhook-signature"], body: body)
    /// ```
    public func verify(
        id: String?, timestamp: String?, signature: String?, body: [UInt8],
        now: Date = Date(), tolerance: Double = StandardWebhooks.defaultTolerance
    ) throws(StandardWebhookVerificationError) -> VerifiedWebhook {
        guard let id, !id.isEmpty else { throw .missingHeader(StandardWebhooks.idHeader) }
        guard let timestamp, !timestamp.isEmpty else { throw .missingHeader(StandardWebhooks.timestampHeader) }
        guard let signature, !signature.isEmpty else { throw .missingHeader(StandardWebhooks.signatureHeader) }
        guard let seconds = Self.unixSeconds(timestamp) else { throw .invalidTimestamp }
        let window = tolerance.isNaN ? 0 : max(0, tolerance)
        let current = now.timeIntervalSince1970
        if Double(seconds) < current - window { throw .timestampTooOld(timestamp: seconds) }
        if Double(seconds) > current + window { throw .timestampTooNew(timestamp: seconds) }

        let expected: [UInt8]
        do {
            expected = try mac(id: id, timestamp: seconds, body: body)
        } catch {
            throw .crypto(error)
        }
        var matched = false
        for entry in signature.split(separator: " ", omittingEmptySubsequences: true) {
            guard let comma = entry.firstIndex(of: ","), entry[..<comma] == StandardWebhooks.signatureVersion,
                  let given = Data(base64Encoded: String(entry[entry.index(after: comma)...]))
            else { continue }
            // Every entry is compared, so the time taken does not tell which one matched.
            if HMAC.equal(Array(given), expected) { matched = true }
        }
        guard matched else { throw .noMatchingSignature }
        return VerifiedWebhook(id: id, timestamp: seconds)
    }

    /// Verifies a received webhook, reading the headers through `header`
    /// (which should match names case-insensitively, as `HTTPRequest.header` does).
    ///
    /// ```swift
    /// server.mount("/hooks/in") { request, responder in
    ///     do {
    ///         _ = try secret.verify(header: request.header, body: request.body)
    ///         responder.respond(status: 204, body: [])
    ///     } catch {
    ///         responder.respond(status: 401, body: Array(error.description.utf8))
    ///     }
    /// }
    /// ```
    public func verify(
        header: (String) -> String?, body: [UInt8],
        now: Date = Date(), tolerance: Double = StandardWebhooks.defaultTolerance
    ) throws(StandardWebhookVerificationError) -> VerifiedWebhook {
        try verify(
            id: header(StandardWebhooks.idHeader), timestamp: header(StandardWebhooks.timestampHeader),
            signature: header(StandardWebhooks.signatureHeader), body: body, now: now, tolerance: tolerance)
    }

    private func mac(id: String, timestamp: Int64, body: [UInt8]) throws(OpenSSLError) -> [UInt8] {
        try HMAC.authenticate(.sha256, key: key, data: StandardWebhooks.signedContent(id: id, timestamp: timestamp, body: body))
    }

    /// A whole number of seconds in ASCII digits (no sign, at most 18 digits); nil otherwise.
    static func unixSeconds(_ text: String) -> Int64? {
        let utf8 = text.utf8
        guard (1...18).contains(utf8.count), utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return Int64(text)
    }

    /// `StandardWebhookSecret(<redacted>)`: never the key.
    public var description: String { "StandardWebhookSecret(<redacted>)" }
    /// The same as ``description``.
    public var debugDescription: String { description }
    /// No children, so `dump` and reflection show no key.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
    public static var configTypeName: String { "secret" }
    public var configDescription: String { "<redacted>" }
}
