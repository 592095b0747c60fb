/// Delivers messages outside: stdout, a file, a socket, a portal.
///
/// The runtime hands a sink one batch at a time and waits for `completion`
/// before the next: the bytes of a batch count in the edge's `bufferedAmount`
/// until then, which is how a slow sink pauses its sources. Call `completion`
/// once the batch has left Junction (written, sent, or given up on and counted).
///
/// ```swift
/// final class NullSink: Sink {
///     func write(_ batch: [Message], completion: @escaping @Sendable () -> Void) { completion() }
/// }
/// ```
public protocol Sink: AnyObject, Sendable {
    /// Opens the transport. Called once before the first write.
    func start() throws
    /// Writes a batch; call `completion` exactly once, from any thread.
    func write(_ batch: [Message], completion: @escaping @Sendable () -> Void)
    /// Flushes and releases the transport after the last write completed.
    func close(completion: @escaping @Sendable () -> Void)
}

extension Sink {
    public func start() throws {}
    public func close(completion: @escaping @Sendable () -> Void) { completion() }
}

/// A sink that can tell how much of a batch it failed to deliver, so failures
/// are not counted as written. Implement `write(_:reporting:)`; the plain
/// `write(_:completion:)` comes with it.
///
/// ```swift
/// final class DevNull: ReportingSink {
///     func write(_ batch: [Message], reporting completion: @escaping @Sendable (_ failed: Int) -> Void) { completion(0) }
/// }
/// ```
public protocol ReportingSink: Sink {
    /// Writes a batch; call `completion` exactly once, from any thread, with the
    /// number of its messages that did not leave Junction (0 on success).
    func write(_ batch: [Message], reporting completion: @escaping @Sendable (_ failed: Int) -> Void)
}

extension ReportingSink {
    public func write(_ batch: [Message], completion: @escaping @Sendable () -> Void) {
        write(batch, reporting: { _ in completion() })
    }
}

/// A sink whose `write` only hands messages off — queues them on
/// connections, arms a callback — and never blocks, sleeps or waits on
/// another thread. The runtime may then call `write` on the thread that
/// delivered the batch (often a network thread, when the route has no
/// stages) instead of hopping to the sink's queue first; a message reaches
/// its connection one thread wake-up sooner. One batch at a time still holds.
///
/// ```swift
/// final class SocketSink: HandOffSink {
///     func write(_ batch: [Message], completion: @escaping @Sendable () -> Void) {
///         for message in batch { connection.enqueue(message.payload) }
///         completion()
///     }
/// }
/// ```
public protocol HandOffSink: Sink {}
