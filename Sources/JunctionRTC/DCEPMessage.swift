/// A Data Channel Establishment Protocol message (RFC 8832), carried on
/// the channel's own stream with PPID 50.
///
/// ```swift
/// let open = DCEPOpen(channelType: .reliable, label: "chat", protocol: "")
/// let bytes = try DCEPMessage.open(open).encode()
/// if case .open(let received) = try DCEPMessage(bytes: bytes) { print(received.label) }  // "chat"
/// DCEPMessage.encodedAck  // [0x02]
/// ```
public enum DCEPMessage: Sendable, Equatable {
    case open(DCEPOpen)
    case ack

    static let openType: UInt8 = 0x03
    static let ackType: UInt8 = 0x02
    /// Type, channel type, priority, reliability, label length, protocol length.
    static let openHeaderSize = 12

    /// The one byte of a DATA_CHANNEL_ACK.
    public static let encodedAck: [UInt8] = [ackType]

    /// Parses one message. Every length is checked before it is used.
    public init(bytes: [UInt8]) throws(DCEPError) {
        guard let type = bytes.first else { throw .empty }
        switch type {
        case Self.ackType:
            guard bytes.count == 1 else { throw .trailingBytes(bytes.count - 1) }
            self = .ack
        case Self.openType:
            self = .open(try DCEPOpen(parsing: bytes))
        default:
            throw .unknownMessageType(type)
        }
    }

    /// The wire bytes.
    public func encode() throws(DCEPError) -> [UInt8] {
        switch self {
        case .ack: return Self.encodedAck
        case .open(let open): return try open.encode()
        }
    }
}

/// DATA_CHANNEL_OPEN (RFC 8832 §5.1): what the opener asks for.
public struct DCEPOpen: Sendable, Equatable {
    public var channelType: DCEPChannelType
    /// 128 below normal, 256 normal, 512 high, 1024 extra high (RFC 8831 §6.4).
    public var priority: UInt16
    /// Retransmissions for the rexmit types, lifetime in ms for the timed types, else 0.
    public var reliabilityParameter: UInt32
    public var label: String
    public var `protocol`: String

    public init(channelType: DCEPChannelType, priority: UInt16 = 256, reliabilityParameter: UInt32 = 0, label: String, protocol: String) {
        self.channelType = channelType
        self.priority = priority
        self.reliabilityParameter = reliabilityParameter
        self.label = label
        self.protocol = `protocol`
    }

    /// Whether the channel delivers in order.
    public var ordered: Bool { channelType.ordered }

    /// The channel's reliability.
    public var reliability: DataChannelReliability { channelType.reliability(parameter: reliabilityParameter) }

    init(parsing bytes: [UInt8]) throws(DCEPError) {
        let header = DCEPMessage.openHeaderSize
        guard bytes.count >= header else { throw .truncated(expected: header, actual: bytes.count) }
        guard let type = DCEPChannelType(rawValue: bytes[1]) else { throw .unknownChannelType(bytes[1]) }
        let labelLength = Int(bytes.uint16(at: 8))
        let protocolLength = Int(bytes.uint16(at: 10))
        let expected = header + labelLength + protocolLength
        guard bytes.count >= expected else { throw .truncated(expected: expected, actual: bytes.count) }
        guard bytes.count == expected else { throw .trailingBytes(bytes.count - expected) }
        guard let label = String(validating: bytes[header..<header + labelLength], as: UTF8.self) else {
            throw .invalidUTF8(field: "label")
        }
        guard let proto = String(validating: bytes[(header + labelLength)...], as: UTF8.self) else {
            throw .invalidUTF8(field: "protocol")
        }
        self.init(
            channelType: type, priority: bytes.uint16(at: 2), reliabilityParameter: bytes.uint32(at: 4),
            label: label, protocol: proto
        )
    }

    func encode() throws(DCEPError) -> [UInt8] {
        let label = Array(label.utf8)
        let proto = Array(self.protocol.utf8)
        guard label.count <= Int(UInt16.max) else { throw .fieldTooLong(field: "label", bytes: label.count) }
        guard proto.count <= Int(UInt16.max) else { throw .fieldTooLong(field: "protocol", bytes: proto.count) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(DCEPMessage.openHeaderSize + label.count + proto.count)
        bytes.append(DCEPMessage.openType)
        bytes.append(channelType.rawValue)
        bytes.append(bigEndian: priority)
        bytes.append(bigEndian: reliabilityParameter)
        bytes.append(bigEndian: UInt16(label.count))
        bytes.append(bigEndian: UInt16(proto.count))
        bytes += label
        bytes += proto
        return bytes
    }
}
