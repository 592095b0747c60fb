import JunctionStore

/// One message on its way to one target: its outbox row, as the deliverer
/// keeps it in memory between attempts.
struct WebhookDelivery: Sendable {
    /// The outbox row id.
    let id: Int64
    /// `webhook-id`: the same on every attempt, so receivers can dedupe.
    let messageID: String
    let payload: [UInt8]
    let meta: [UInt8]
    /// Attempts made so far.
    var attempts: Int
    var lastError: String?

    init(id: Int64, entry: Outbox.Entry) {
        self.id = id
        messageID = entry.messageID
        payload = entry.payload
        meta = entry.meta
        attempts = 0
        lastError = nil
    }

    init(record: Outbox.Record) {
        id = record.id
        messageID = record.messageID
        payload = record.payload
        meta = record.meta
        attempts = record.attempts
        lastError = record.lastError
    }
}
