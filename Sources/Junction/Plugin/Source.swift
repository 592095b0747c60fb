/// Produces messages from outside: stdin, a file, a socket, a portal.
///
/// The runtime calls `start(_:)` once, then `pause()`/`resume()` any number of
/// times from any thread, then `stop()`. Pausing must be real flow control:
/// a paused source stops reading from its transport, so the sender feels it.
///
/// ```swift
/// final class TickSource: Source {
///     func start(_ output: any SourceOutput) throws { output.emit(Message(text: "tick")); output.finish() }
///     func pause() {}
///     func resume() {}
///     func stop() {}
/// }
/// ```
public protocol Source: AnyObject, Sendable {
    /// Begins producing into `output`. Must not block the caller.
    func start(_ output: any SourceOutput) throws
    /// Stop reading from the transport until `resume()`.
    func pause()
    /// Read again.
    func resume()
    /// Stop for good; release the transport. Calling `output.finish()` afterwards is allowed.
    func stop()
}

/// Where a source delivers messages; handed to `Source.start(_:)`.
///
/// `emit` never blocks and never drops under `when_full: block`: it may take
/// one batch past the high-water mark, after which the runtime pauses the source.
public protocol SourceOutput: Sendable {
    /// Delivers a batch, in order.
    func emit(_ batch: [Message])
    /// No more messages will come (end of file, closed connection that will not reconnect).
    func finish()
    /// Whether the runtime currently wants the source paused (a polling source checks this).
    var isPaused: Bool { get }
}

extension SourceOutput {
    /// Delivers one message.
    public func emit(_ message: Message) { emit([message]) }
}
