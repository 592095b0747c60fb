import Foundation

/// Tells the source of a message when the pipeline is done with it, and how.
///
/// A source that must answer its sender only once a message is safe (an HTTP
/// ingest answering `202`) attaches a receipt to the message. Every copy of
/// the message (a fan-out, a split) shares it, and the receipt settles once,
/// when the last copy is released: after every sink it reached has completed
/// its write (a durable sink completes once the message is committed), or
/// after a filter dropped it. The runtime marks it on the way:
///
/// - a sink that reports a failed write, a full edge that drops the message
///   (`drop_oldest`, `drop_newest`) or a shutdown that abandons it: `failed`;
/// - a stage that rejects it: `rejected` (whether or not an `errors:` sink
///   then takes it).
///
/// The first mark wins. `onSettle` runs exactly once, on whichever thread
/// released the last copy: it must only hop elsewhere, never block.
///
/// ```swift
/// var message = Message(payload: body, kind: .binary)
/// message.receipt = Receipt { outcome in
///     inbox.post { respond(outcome == .accepted ? 202 : 503) }
/// }
/// output.emit(message)
/// ```
public final class Receipt: @unchecked Sendable {
    /// How the pipeline ended with a message.
    public enum Outcome: Sendable, Equatable {
        /// Every sink it reached took it, or a stage filtered it out.
        case accepted
        /// A stage refused it (bad input); the reason is the stage's.
        case rejected(String)
        /// It could not be delivered or queued: a failed sink write, a drop, a shutdown.
        case failed(String)
    }

    private let lock = NSLock()
    private var mark: Outcome = .accepted
    private let onSettle: (@Sendable (Outcome) -> Void)?
    /// The receipts of the messages this one was made of (a batch).
    private let parts: [Receipt]

    /// A receipt that calls `onSettle` once, when the last copy of its message goes.
    public init(_ onSettle: @escaping @Sendable (Outcome) -> Void) {
        self.onSettle = onSettle
        self.parts = []
    }

    /// A receipt for a message made of several (a batch stage): it keeps the
    /// parts' receipts alive as long as it lives, and passes marks on to them.
    /// Returns nil when none of the parts had a receipt.
    ///
    /// ```swift
    /// combined.receipt = Receipt(combining: held.compactMap(\.receipt))
    /// ```
    public init?(combining parts: [Receipt]) {
        guard !parts.isEmpty else { return nil }
        self.onSettle = nil
        self.parts = parts
    }

    /// The mark so far (`accepted` until something fails or rejects it).
    public var outcome: Outcome { lock.withLock { mark } }

    /// Marks the message failed, unless something marked it before.
    public func fail(_ reason: String) { set(.failed(reason)) }

    /// Marks the message rejected, unless something marked it before.
    public func reject(_ reason: String) { set(.rejected(reason)) }

    private func set(_ outcome: Outcome) {
        lock.withLock {
            if mark == .accepted { mark = outcome }
        }
        for part in parts { part.set(outcome) }
    }

    deinit {
        onSettle?(mark)
    }
}

extension Array where Element == Message {
    /// Marks the receipt of every message that has one as failed.
    public func failReceipts(_ reason: String) {
        for m in self { m.receipt?.fail(reason) }
    }
}
