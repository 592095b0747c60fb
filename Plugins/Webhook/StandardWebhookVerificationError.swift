import JunctionRTC

/// Why a received webhook failed Standard Webhooks verification. A receiver
/// answers all of them with 401 (or 400 for a missing header); none is worth
/// a retry by the sender, except ``timestampTooOld`` after a clock fix.
///
/// ```swift
/// do {
///     let verified = try secret.verify(header: request.header, body: request.body)
///     accept(verified.id)
/// } catch .missingHeader(let name) {
///     reject(400, "missing \(name)")
/// } catch {
///     reject(401, error.description)
/// }
/// ```
public enum StandardWebhookVerificationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The named header (`webhook-id`, `webhook-timestamp`, `webhook-signature`)
    /// is absent or empty.
    case missingHeader(String)
    /// `webhook-timestamp` is not a whole number of Unix seconds.
    case invalidTimestamp
    /// The timestamp is more than the tolerance before now: perhaps a replay.
    case timestampTooOld(timestamp: Int64)
    /// The timestamp is more than the tolerance after now.
    case timestampTooNew(timestamp: Int64)
    /// No `v1` entry of `webhook-signature` matches the body under the secret.
    case noMatchingSignature
    /// OpenSSL could not compute the HMAC.
    case crypto(OpenSSLError)

    /// A one-line explanation (never the secret or the expected signature).
    ///
    /// ```swift
    /// print(StandardWebhookVerificationError.noMatchingSignature)  // "no matching webhook signature"
    /// ```
    public var description: String {
        switch self {
        case .missingHeader(let name): return "missing header \(name)"
        case .invalidTimestamp: return "webhook-timestamp is not a number of Unix seconds"
        case .timestampTooOld(let t): return "webhook timestamp \(t) is too old"
        case .timestampTooNew(let t): return "webhook timestamp \(t) is too far in the future"
        case .noMatchingSignature: return "no matching webhook signature"
        case .crypto(let error): return "could not compute the webhook signature: \(error)"
        }
    }
}
