/// Why an SDP offer was refused: what is wrong and, when one line is to
/// blame, its 1-based number. Messages name the field but never echo
/// credentials (`a=ice-pwd` values stay out of logs).
///
/// ```swift
/// do {
///     _ = try SDPOffer(parsing: text)
/// } catch {
///     print(error)  // "SDP line 9: a=fingerprint: 'XY' is not a hex byte"
/// }
/// ```
public struct SDPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The broad kind of problem, for counting and for choosing a reply.
    public enum Kind: Sendable, Equatable {
        /// Over a configured ``SDPLimits`` value (size, lines, line length, sections).
        case tooLarge
        /// A line is not `<letter>=<value>`, is not UTF-8, or has control characters.
        case malformedLine
        /// A field has the wrong shape or is out of range.
        case invalidValue
        /// Something the answer needs is absent (data-channel section, ICE credentials, fingerprint).
        case missing
        /// Well-formed, but not something this answerer can accept (e.g. `a=setup:holdconn`).
        case unsupported
    }

    /// The broad kind, e.g. ``Kind/tooLarge``.
    public let kind: Kind
    /// The 1-based line number the problem is on, or `nil` for the offer as a whole.
    public let line: Int?
    /// What is wrong, in one sentence.
    public let message: String

    /// `SDPError(.invalidValue, line: 7, "a=setup: 'both' is not …")`.
    public init(_ kind: Kind, line: Int? = nil, _ message: String) {
        self.kind = kind
        self.line = line
        self.message = message
    }

    /// `"SDP line <n>: <message>"`, or `"SDP: <message>"` without a line.
    public var description: String {
        if let line { return "SDP line \(line): \(message)" }
        return "SDP: \(message)"
    }

    /// The same error placed on `line` (when it has none yet).
    func at(line: Int) -> SDPError {
        self.line == nil ? SDPError(kind, line: line, message) : self
    }
}
