/// A STUN message type: a method and a class packed into 14 bits
/// (RFC 8489 §5, figure 3).
///
/// ```swift
/// STUNMessageType.bindingRequest.rawValue             // 0x0001
/// STUNMessageType(rawValue: 0x0111)                   // binding, .errorResponse
/// STUNMessageType.bindingSuccess.messageClass          // .successResponse
/// ```
public struct STUNMessageType: Sendable, Hashable, CustomStringConvertible {
    public enum MessageClass: UInt16, Sendable {
        case request = 0
        case indication = 1
        case successResponse = 2
        case errorResponse = 3
    }

    /// The Binding method; the only one ICE uses.
    public static let binding: UInt16 = 0x001

    public static let bindingRequest = STUNMessageType(method: binding, messageClass: .request)
    public static let bindingIndication = STUNMessageType(method: binding, messageClass: .indication)
    public static let bindingSuccess = STUNMessageType(method: binding, messageClass: .successResponse)
    public static let bindingError = STUNMessageType(method: binding, messageClass: .errorResponse)

    /// 12 bits.
    public let method: UInt16
    public let messageClass: MessageClass

    /// `method` is cut to its 12 bits.
    public init(method: UInt16, messageClass: MessageClass) {
        self.method = method & 0x0FFF
        self.messageClass = messageClass
    }

    /// Unpacks the 14-bit type field (the top two bits are ignored).
    public init(rawValue: UInt16) {
        let method = (rawValue & 0x000F) | (rawValue >> 1 & 0x0070) | (rawValue >> 2 & 0x0F80)
        let bits = (rawValue >> 4 & 0x1) | (rawValue >> 7 & 0x2)
        self.init(method: method, messageClass: MessageClass(rawValue: bits) ?? .request)
    }

    /// The packed type field.
    public var rawValue: UInt16 {
        let c = messageClass.rawValue
        return (method & 0x000F) | (method & 0x0070) << 1 | (method & 0x0F80) << 2 | (c & 0x1) << 4 | (c & 0x2) << 7
    }

    public var description: String {
        let name = method == Self.binding ? "Binding" : "method \(STUNAttributeType.hex(method))"
        switch messageClass {
        case .request: return "\(name) request"
        case .indication: return "\(name) indication"
        case .successResponse: return "\(name) success response"
        case .errorResponse: return "\(name) error response"
        }
    }
}
