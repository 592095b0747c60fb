/// The 96-bit transaction id that pairs a STUN response with its request.
///
/// ```swift
/// let id = try STUNTransactionID.random()
/// STUNTransactionID(bytes: [UInt8](repeating: 0, count: 12))  // non-nil
/// STUNTransactionID(bytes: [1, 2, 3])                         // nil
/// ```
public struct STUNTransactionID: Sendable, Hashable, CustomStringConvertible {
    /// 12 bytes.
    public let bytes: [UInt8]

    /// `nil` unless `bytes` has exactly 12 bytes.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 12 else { return nil }
        self.bytes = Array(bytes)
    }

    /// A fresh id from OpenSSL's generator.
    public static func random() throws(OpenSSLError) -> STUNTransactionID {
        STUNTransactionID(checked: try SecureRandom.bytes(12))
    }

    private init(checked bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Lowercase hex.
    public var description: String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
