import JunctionStore

/// One message on its way to one target: its outbox row, as the deliverer
/// keeps it in memory between attempts.
struct WebhookDelivery: Sendable {
    /// The outbox row id.
    let id: Int64
    /// `webhook-id`: the same on every attempt, so receivers can dedupe.
    let messageID: String
    let payload: [UInt8]
    /// The request headers the message brought (its outbox row's `meta`), decoded once.
    let headers: [(name: String, value: String)]
    /// Attempts made so far.
    var attempts: Int
    var lastError: String?

    init(id: Int64, entry: Outbox.Entry, envelope: WebhookEnvelope) {
        self.id = id
        messageID = entry.messageID
        payload = entry.payload
        headers = envelope.headers
        attempts = 0
        lastError = nil
    }

    init(record: Outbox.Record) {
        id = record.id
        messageID = record.messageID
        payload = record.payload
        headers = WebhookEnvelope(decoding: record.meta).headers
        attempts = record.attempts
        lastError = record.lastError
    }
}
