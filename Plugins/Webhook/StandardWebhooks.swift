/// The fixed parts of Standard Webhooks (https://www.standardwebhooks.com,
/// spec 1.0.0): header names, the signed content and the replay window.
///
/// A sender signs `"{webhook-id}.{webhook-timestamp}.{body}"` with
/// HMAC-SHA256 under the endpoint's secret and sends
/// `webhook-signature: v1,<base64 MAC>`; ``StandardWebhookSecret`` does both
/// sides.
///
/// ```swift
/// let secret = try StandardWebhookSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
/// let id = WebhookID.random().rawValue
/// let headers = try secret.headers(id: id, timestamp: 1_614_265_330, body: body)
/// // [("webhook-id", id), ("webhook-timestamp", "1614265330"), ("webhook-signature", "v1,…")]
/// ```
public enum StandardWebhooks {
    /// The message id header: the same on every retry of one message, so
    /// receivers can deduplicate.
    public static let idHeader = "webhook-id"
    /// Unix seconds at which this attempt was signed.
    public static let timestampHeader = "webhook-timestamp"
    /// One or more space-separated `version,signature` entries.
    public static let signatureHeader = "webhook-signature"
    /// The only signature scheme defined: symmetric HMAC-SHA256.
    public static let signatureVersion = "v1"
    /// How far (seconds) a timestamp may be from the receiver's clock, either
    /// way, before the message is refused: 5 minutes, as the reference
    /// libraries enforce.
    public static let defaultTolerance: Double = 300

    /// The bytes that are signed: `"{id}.{timestamp}.{body}"`, the body
    /// exactly as sent.
    ///
    /// ```swift
    /// StandardWebhooks.signedContent(id: "msg_1", timestamp: 5, body: Array("{}".utf8))
    /// // Array("msg_1.5.{}".utf8)
    /// ```
    public static func signedContent(id: String, timestamp: Int64, body: [UInt8]) -> [UInt8] {
        var content = Array("\(id).\(timestamp).".utf8)
        content.reserveCapacity(content.count + body.count)
        content.append(contentsOf: body)
        return content
    }
}
