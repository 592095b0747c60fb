import Glibc

/// A failed usrsctp call: which function and the `errno` it left.
///
/// ```swift
/// do {
///     let association = try SCTPAssociation(configuration: .init(isDTLSClient: true)) { packet in send(packet) }
/// } catch {
///     print(error)  // "usrsctp_bind failed: Address already in use (errno 98)"
/// }
/// ```
public struct SCTPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The usrsctp function that failed.
    public let function: String
    /// The `errno` it reported (0 when it reported none).
    public let code: Int32

    public init(function: String, code: Int32) {
        self.function = function
        self.code = code
    }

    public var description: String {
        code == 0 ? "\(function) failed" : "\(function) failed: \(String(cString: strerror(code))) (errno \(code))"
    }

    /// The error for `function` with this thread's `errno`. Call it right
    /// after the failed call, before anything else can change `errno`.
    static func capture(_ function: String) -> SCTPError {
        SCTPError(function: function, code: errno)
    }

    /// Whether `code` only means "not now, try again".
    static func isWouldBlock(_ code: Int32) -> Bool {
        code == EAGAIN || code == EWOULDBLOCK
    }
}
