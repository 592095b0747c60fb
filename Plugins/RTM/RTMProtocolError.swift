/// Why an RTM message from a client was refused. The session lives on: the
/// client gets an `error` message with ``message`` and may send again.
///
/// ```swift
/// do { _ = try RTMMessage.decode(bytes) } catch { reply(.error(error.message, inReplyTo: nil)) }
/// ```
public struct RTMProtocolError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What was wrong, for the client and the log.
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
