/// The channel type byte of a DATA_CHANNEL_OPEN (RFC 8832 §5.1): ordering
/// in the high bit, the partial-reliability policy in the low bits.
///
/// ```swift
/// DCEPChannelType(ordered: false, reliability: .maxRetransmits(0))  // .partialReliableRexmitUnordered (0x81)
/// DCEPChannelType.partialReliableTimed.reliability(parameter: 500)  // .maxPacketLifeTime(500)
/// ```
public enum DCEPChannelType: UInt8, Sendable, CaseIterable {
    case reliable = 0x00
    case reliableUnordered = 0x80
    case partialReliableRexmit = 0x01
    case partialReliableRexmitUnordered = 0x81
    case partialReliableTimed = 0x02
    case partialReliableTimedUnordered = 0x82

    /// The type for a channel with this ordering and reliability.
    public init(ordered: Bool, reliability: DataChannelReliability) {
        switch (ordered, reliability) {
        case (true, .reliable): self = .reliable
        case (false, .reliable): self = .reliableUnordered
        case (true, .maxRetransmits): self = .partialReliableRexmit
        case (false, .maxRetransmits): self = .partialReliableRexmitUnordered
        case (true, .maxPacketLifeTime): self = .partialReliableTimed
        case (false, .maxPacketLifeTime): self = .partialReliableTimedUnordered
        }
    }

    /// Whether messages are delivered in order.
    public var ordered: Bool { rawValue & 0x80 == 0 }

    /// The reliability this type and the OPEN's reliability parameter
    /// describe. The parameter is 32 bits on the wire and 16 in the W3C
    /// API, so larger values are clamped to 65535.
    public func reliability(parameter: UInt32) -> DataChannelReliability {
        switch rawValue & 0x7F {
        case 0x01: return .maxRetransmits(UInt16(clamping: parameter))
        case 0x02: return .maxPacketLifeTime(UInt16(clamping: parameter))
        default: return .reliable
        }
    }
}

/// How hard SCTP tries to deliver a channel's messages: always, at most
/// `n` retransmissions (PR-SCTP RTX), or for at most `ms` milliseconds
/// (PR-SCTP TTL). Mirrors `maxRetransmits` / `maxPacketLifeTime`.
public enum DataChannelReliability: Sendable, Equatable, Hashable {
    case reliable
    case maxRetransmits(UInt16)
    case maxPacketLifeTime(UInt16)

    /// The DCEP reliability parameter: the count or lifetime, 0 when reliable.
    public var parameter: UInt32 {
        switch self {
        case .reliable: return 0
        case .maxRetransmits(let count): return UInt32(count)
        case .maxPacketLifeTime(let milliseconds): return UInt32(milliseconds)
        }
    }
}
