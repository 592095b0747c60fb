/// The attribute type numbers JunctionRTC knows (RFC 8489 §18.3, RFC 8445 §16.1).
/// Types below 0x8000 are comprehension-required: a request carrying an
/// unknown one gets 420 with UNKNOWN-ATTRIBUTES. Others may be skipped
/// (Chromium adds GOOG-* ones).
///
/// ```swift
/// STUNAttributeType.isComprehensionRequired(0xC057)  // false: skip it
/// ```
public enum STUNAttributeType {
    public static let mappedAddress: UInt16 = 0x0001
    public static let username: UInt16 = 0x0006
    public static let messageIntegrity: UInt16 = 0x0008
    public static let errorCode: UInt16 = 0x0009
    public static let unknownAttributes: UInt16 = 0x000A
    public static let xorMappedAddress: UInt16 = 0x0020
    public static let priority: UInt16 = 0x0024
    public static let useCandidate: UInt16 = 0x0025
    public static let software: UInt16 = 0x8022
    public static let fingerprint: UInt16 = 0x8028
    public static let iceControlled: UInt16 = 0x8029
    public static let iceControlling: UInt16 = 0x802A

    /// Whether an agent must understand `type` to process the message.
    public static func isComprehensionRequired(_ type: UInt16) -> Bool { type < 0x8000 }

    /// `"0x0006"`.
    static func hex(_ type: UInt16) -> String {
        let digits = String(type, radix: 16, uppercase: true)
        return "0x" + String(repeating: "0", count: 4 - digits.count) + digits
    }
}
