extension Outbox {
    /// A message that gave up, as listed by ``Outbox/deadLetters(target:since:limit:)``.
    ///
    /// ```swift
    /// for letter in try outbox.deadLetters(target: "ops", since: nil, limit: 50) {
    ///     print(letter.messageID, letter.attempts, letter.lastError)
    /// }
    /// ```
    public struct DeadLetter: Sendable, Equatable {
        /// The dead letter's row id (its own sequence, not the outbox row's).
        public let id: Int64
        /// The sink the message was for.
        public let target: String
        /// The message's stable id.
        public let messageID: String
        /// The bytes that were to be delivered.
        public let payload: [UInt8]
        /// The caller's opaque metadata blob.
        public let meta: [UInt8]
        /// When the message was accepted, in milliseconds since the epoch.
        public let createdAt: Int64
        /// Delivery attempts made.
        public let attempts: Int
        /// When it was given up, in milliseconds since the epoch.
        public let failedAt: Int64
        /// The last delivery's error.
        public let lastError: String

        /// Makes a dead letter.
        ///
        /// ```swift
        /// let letter = Outbox.DeadLetter(id: 1, target: "ops", messageID: "m1", payload: [], meta: [],
        ///                                createdAt: 0, attempts: 8, failedAt: 9, lastError: "HTTP 500")
        /// ```
        public init(
            id: Int64, target: String, messageID: String, payload: [UInt8], meta: [UInt8],
            createdAt: Int64, attempts: Int, failedAt: Int64, lastError: String
        ) {
            self.id = id
            self.target = target
            self.messageID = messageID
            self.payload = payload
            self.meta = meta
            self.createdAt = createdAt
            self.attempts = attempts
            self.failedAt = failedAt
            self.lastError = lastError
        }
    }
}
