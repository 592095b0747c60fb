extension Outbox {
    /// A message to put into the outbox.
    ///
    /// ```swift
    /// let entry = Outbox.Entry(
    ///     target: "ops",
    ///     messageID: "msg_2Yh…",
    ///     payload: Array(#"{"level":"alert"}"#.utf8),
    ///     meta: [],
    ///     createdAt: 1_700_000_000_000
    /// )
    /// ```
    public struct Entry: Sendable, Equatable {
        /// The sink the message is for (a webhook sink's name).
        public var target: String
        /// The message's stable id (kept across retries and replays, e.g. `webhook-id`).
        public var messageID: String
        /// The bytes to deliver.
        public var payload: [UInt8]
        /// An opaque blob the caller encodes (headers, content type, …).
        public var meta: [UInt8]
        /// When the message was accepted, in milliseconds since the epoch.
        public var createdAt: Int64

        /// Makes an entry.
        ///
        /// ```swift
        /// let entry = Outbox.Entry(target: "ops", messageID: "m1", payload: [1, 2], meta: [], createdAt: now)
        /// ```
        public init(target: String, messageID: String, payload: [UInt8], meta: [UInt8], createdAt: Int64) {
            self.target = target
            self.messageID = messageID
            self.payload = payload
            self.meta = meta
            self.createdAt = createdAt
        }
    }
}
