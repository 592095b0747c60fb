/// Filters or transforms messages on the route's serial queue.
///
/// A stage is synchronous and never does I/O: it turns each message into
/// zero or more messages (or a rejection) and returns. Stages that hold
/// messages back (a batch window, a rate limit) expose a deadline; the
/// runtime calls `flush(now:into:)` when it passes.
///
/// ```swift
/// final class Upper: Stage {
///     func process(_ message: Message, into output: inout StageOutput) {
///         output.emit(Message(text: message.text.uppercased()))
///     }
/// }
/// ```
public protocol Stage: AnyObject {
    /// Handles one message.
    func process(_ message: Message, into output: inout StageOutput)
    /// Handles a batch in place: what stays in `batch` goes on. The default calls
    /// `process(_:into:)` for each message; a filter overrides it to drop without copying.
    func process(batch: inout [Message], rejected: inout [(message: Message, reason: String)])
    /// Releases held messages that are due at `now` (monotonic nanoseconds).
    func flush(now: UInt64, into output: inout StageOutput)
    /// The input has ended: release everything still held.
    func finish(into output: inout StageOutput)
    /// When `flush` should next run (monotonic nanoseconds), or nil.
    var nextDeadline: UInt64? { get }
    /// True while the stage holds back messages and wants no more input yet (rate limiting).
    var isHolding: Bool { get }
    /// Input messages the stage holds and has not passed on yet (a batch being
    /// filled, a rate limiter's queue); counted as lost when shutdown gives up.
    var heldCount: Int { get }
}

extension Stage {
    public func process(batch: inout [Message], rejected: inout [(message: Message, reason: String)]) {
        var out = StageOutput()
        out.messages.reserveCapacity(batch.count)
        for m in batch { process(m, into: &out) }
        batch = out.messages
        rejected += out.rejected
    }

    public func flush(now: UInt64, into output: inout StageOutput) {}
    public func finish(into output: inout StageOutput) { flush(now: .max, into: &output) }
    public var nextDeadline: UInt64? { nil }
    public var isHolding: Bool { false }
    public var heldCount: Int { 0 }
}

/// What a stage produced for the next stage: messages, and rejections with a reason.
public struct StageOutput {
    public var messages: [Message] = []
    public var rejected: [(message: Message, reason: String)] = []

    public init() {}

    @inlinable public mutating func emit(_ message: Message) { messages.append(message) }

    /// The stage could not handle `message`; it goes to the route's `errors:` sink, or is counted and dropped.
    public mutating func reject(_ message: Message, reason: String) { rejected.append((message, reason)) }
}

/// A stage config that sends messages to particular sinks of its route (`switch`).
public protocol RoutingStageConfig {
    /// Every sink name the stage may choose.
    var routeTargets: [String] { get }
}
