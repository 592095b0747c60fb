/// Why bytes with PPID 50 are not a DCEP message (RFC 8832), or why one
/// could not be encoded. Parsing never traps: every malformed input ends
/// here, and the receiver drops the message and counts it.
///
/// ```swift
/// do {
///     let message = try DCEPMessage(bytes: [0x03, 0x00])
/// } catch {
///     print(error)  // "DCEP: DATA_CHANNEL_OPEN needs 12 bytes, got 2"
/// }
/// ```
public enum DCEPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No bytes at all.
    case empty
    /// A message type other than DATA_CHANNEL_OPEN (0x03) or DATA_CHANNEL_ACK (0x02).
    case unknownMessageType(UInt8)
    /// Fewer bytes than the header and its declared label and protocol lengths need.
    case truncated(expected: Int, actual: Int)
    /// A channel type byte RFC 8832 does not define.
    case unknownChannelType(UInt8)
    /// Bytes left over after the message.
    case trailingBytes(Int)
    /// The label or protocol is not UTF-8.
    case invalidUTF8(field: String)
    /// Encoding: the label or protocol is over 65535 bytes.
    case fieldTooLong(field: String, bytes: Int)

    public var description: String {
        switch self {
        case .empty: return "DCEP: empty message"
        case .unknownMessageType(let type): return "DCEP: unknown message type 0x\(String(type, radix: 16))"
        case .truncated(let expected, let actual):
            return "DCEP: DATA_CHANNEL_OPEN needs \(expected) bytes, got \(actual)"
        case .unknownChannelType(let type): return "DCEP: unknown channel type 0x\(String(type, radix: 16))"
        case .trailingBytes(let count): return "DCEP: \(count) bytes after the message"
        case .invalidUTF8(let field): return "DCEP: the \(field) is not UTF-8"
        case .fieldTooLong(let field, let bytes): return "DCEP: the \(field) is \(bytes) bytes, at most 65535 fit"
        }
    }
}
