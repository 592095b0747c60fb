extension Outbox {
    /// What became of one delivery, for ``Outbox/settle(_:)``.
    ///
    /// ```swift
    /// try outbox.settle([
    ///     .delivered(id: 1),
    ///     .retry(id: 2, attempts: 1, nextAttemptAt: now + 1_000, error: "HTTP 503"),
    ///     .dead(id: 3, attempts: 8, error: "HTTP 410", at: now),
    /// ])
    /// ```
    public enum Outcome: Sendable, Equatable {
        /// Delivered: the row is deleted.
        case delivered(id: Int64)
        /// Failed, to be tried again at `nextAttemptAt` (ms since the epoch): the row
        /// keeps its id and records `attempts` and `error`.
        case retry(id: Int64, attempts: Int, nextAttemptAt: Int64, error: String)
        /// Given up at `at` (ms since the epoch): the row moves to the dead letters.
        case dead(id: Int64, attempts: Int, error: String, at: Int64)

        /// The outbox row the outcome is about.
        ///
        /// ```swift
        /// let settled = Set(outcomes.map(\.id))
        /// ```
        public var id: Int64 {
            switch self {
            case .delivered(let id), .retry(let id, _, _, _), .dead(let id, _, _, _): id
            }
        }
    }
}
