/// What a datagram on a WebRTC socket carries, by its first byte
/// (RFC 7983 §7): STUN, DTLS, or media and other protocols we drop.
///
/// ```swift
/// switch UDPPacketKind(datagram) {
/// case .stun: agent.handle(datagram, …)
/// case .dtls: dtls.receive(datagram: datagram)
/// case .rtp, .other: dropped += 1
/// }
/// ```
public enum UDPPacketKind: Sendable, Equatable {
    case stun
    case dtls
    /// RTP or RTCP (128–191): no media here, dropped.
    case rtp
    /// Empty, ZRTP (16–19), TURN channels (64–79) and anything unassigned.
    case other

    public init(_ datagram: [UInt8]) {
        guard let first = datagram.first else {
            self = .other
            return
        }
        switch first {
        case 0...3: self = STUNPacket.looksLikeSTUN(datagram) ? .stun : .other
        case 20...63: self = .dtls
        case 128...191: self = .rtp
        default: self = .other
        }
    }
}
