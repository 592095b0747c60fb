/// The ERROR-CODE attribute's value: a code from 300 to 699 and a reason
/// phrase (RFC 8489 §14.8).
///
/// ```swift
/// let reply = STUNMessage.bindingError(for: request, error: .unauthorized)
/// STUNErrorCode.roleConflict.code  // 487
/// ```
public struct STUNErrorCode: Sendable, Hashable, CustomStringConvertible {
    public static let badRequest = STUNErrorCode(checked: 400, "Bad Request")
    public static let unauthorized = STUNErrorCode(checked: 401, "Unauthorized")
    public static let unknownAttribute = STUNErrorCode(checked: 420, "Unknown Attribute")
    public static let roleConflict = STUNErrorCode(checked: 487, "Role Conflict")
    public static let serverError = STUNErrorCode(checked: 500, "Server Error")

    /// 300…699: the class is the hundreds, the number the rest.
    public let code: Int
    /// A human-readable phrase, UTF-8.
    public let reason: String

    /// `nil` unless `code` is 300…699 and the reason fits (763 bytes).
    public init?(code: Int, reason: String) {
        guard (300...699).contains(code), reason.utf8.count <= 763 else { return nil }
        self.init(checked: code, reason)
    }

    private init(checked code: Int, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "\(code) \(reason)" }
}
