/// Why a jq program did not compile, or did not run on one input.
public struct JQError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where it failed.
    public enum Kind: Sendable, Equatable {
        /// The program itself is wrong.
        case compile
        /// The input is not valid JSON.
        case invalidJSON
        /// The program raised an error (`error`, a type error, `halt_error`, …).
        case runtime
    }

    /// Where it failed.
    public var kind: Kind
    /// jq's message, without the input echoed back.
    public var message: String

    /// An error of `kind` with `message`.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String {
        switch kind {
        case .compile: return "jq compile error: \(message)"
        case .invalidJSON: return "invalid JSON: \(message)"
        case .runtime: return "jq error: \(message)"
        }
    }
}
