/// Why bytes are not an acceptable STUN message, or why one could not be
/// encoded. A receiver answers 400 (or drops the datagram) and counts it.
///
/// ```swift
/// do {
///     let packet = try STUNPacket(bytes: datagram)
/// } catch {
///     print(error)  // "STUN: attribute 0x0006 runs past the end of the message (offset 28)"
/// }
/// ```
public enum STUNError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Fewer than the 20 header bytes.
    case tooShort(Int)
    /// Not STUN at all: the first two bits are set or the magic cookie is wrong.
    case notSTUN(String)
    /// The header's length field disagrees with the datagram.
    case badLength(String)
    /// An attribute's length runs past the end of the message.
    case attributeOverrun(type: UInt16, offset: Int)
    /// A known attribute whose value has the wrong size or content.
    case badAttribute(type: UInt16, String)
    /// An attribute after FINGERPRINT, which must be last.
    case misplacedAttribute(type: UInt16)
    /// Encoding: a value or the whole message is over the 16-bit length limits.
    case tooLarge(String)
    /// OpenSSL failed while computing MESSAGE-INTEGRITY.
    case crypto(OpenSSLError)

    public var description: String {
        switch self {
        case .tooShort(let count): return "STUN: \(count) bytes, a message is at least 20"
        case .notSTUN(let why): return "not STUN: \(why)"
        case .badLength(let why): return "STUN: \(why)"
        case .attributeOverrun(let type, let offset):
            return "STUN: attribute \(STUNAttributeType.hex(type)) runs past the end of the message (offset \(offset))"
        case .badAttribute(let type, let why): return "STUN: attribute \(STUNAttributeType.hex(type)): \(why)"
        case .misplacedAttribute(let type): return "STUN: attribute \(STUNAttributeType.hex(type)) after FINGERPRINT"
        case .tooLarge(let why): return "STUN: \(why)"
        case .crypto(let error): return "STUN: \(error)"
        }
    }
}
