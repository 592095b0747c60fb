/// A JSON document that could not be read or edited.
///
/// ```swift
/// do { _ = try JSONDocument(parsing: Array("{".utf8)) }
/// catch { print(error.message) }   // "invalid JSON: …"
/// ```
public struct JSONError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, for logs and reject reasons.
    public var message: String

    /// An error with a message.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
