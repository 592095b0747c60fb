/// What ``StandardWebhookSecret/verify(id:timestamp:signature:body:now:tolerance:)``
/// vouches for: the message id (for deduplication) and the signed timestamp.
///
/// ```swift
/// let verified = try secret.verify(header: request.header, body: request.body)
/// if seen.insert(verified.id).inserted { deliver(request.body) }
/// ```
public struct VerifiedWebhook: Sendable, Hashable {
    /// The `webhook-id` header: the same on every retry of one message.
    public let id: String
    /// The `webhook-timestamp` header, Unix seconds.
    public let timestamp: Int64

    /// Creates the value; verification does this.
    ///
    /// ```swift
    /// let v = VerifiedWebhook(id: "msg_1", timestamp: 1_614_265_330)
    /// ```
    public init(id: String, timestamp: Int64) {
        self.id = id
        self.timestamp = timestamp
    }
}
