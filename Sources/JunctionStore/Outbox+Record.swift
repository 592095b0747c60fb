extension Outbox {
    /// A message waiting in the outbox, as read back by ``Outbox/pending(target:after:limit:)``.
    ///
    /// ```swift
    /// for record in try outbox.pending(target: "ops", after: 0, limit: 100)
    /// where record.nextAttemptAt <= now {
    ///     send(record.payload, id: record.messageID)
    /// }
    /// ```
    public struct Record: Sendable, Equatable {
        /// The row id: increasing, never reused (a replayed message gets a new one).
        public let id: Int64
        /// The sink the message is for.
        public let target: String
        /// The message's stable id.
        public let messageID: String
        /// The bytes to deliver.
        public let payload: [UInt8]
        /// The caller's opaque metadata blob.
        public let meta: [UInt8]
        /// When the message was accepted, in milliseconds since the epoch.
        public let createdAt: Int64
        /// Failed deliveries so far.
        public let attempts: Int
        /// When the next delivery is due, in milliseconds since the epoch.
        public let nextAttemptAt: Int64
        /// The last delivery's error, nil before the first failure.
        public let lastError: String?

        /// Makes a record.
        ///
        /// ```swift
        /// let record = Outbox.Record(id: 1, target: "ops", messageID: "m1", payload: [], meta: [],
        ///                            createdAt: 0, attempts: 0, nextAttemptAt: 0, lastError: nil)
        /// ```
        public init(
            id: Int64, target: String, messageID: String, payload: [UInt8], meta: [UInt8],
            createdAt: Int64, attempts: Int, nextAttemptAt: Int64, lastError: String?
        ) {
            self.id = id
            self.target = target
            self.messageID = messageID
            self.payload = payload
            self.meta = meta
            self.createdAt = createdAt
            self.attempts = attempts
            self.nextAttemptAt = nextAttemptAt
            self.lastError = lastError
        }
    }
}
