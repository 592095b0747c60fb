/// `RTCDataChannel.readyState`.
public enum DataChannelState: String, Sendable {
    case connecting
    case open
    case closing
    case closed
}

/// One data channel message: text (UTF-8, PPID 51/56) or binary (PPID 53/57).
public enum DataChannelMessage: Sendable, Equatable, CustomStringConvertible {
    case text(String)
    case binary([UInt8])

    /// Bytes on the wire (UTF-8 for text), what `bufferedAmount` counts.
    public var byteCount: Int {
        switch self {
        case .text(let text): return text.utf8.count
        case .binary(let bytes): return bytes.count
        }
    }

    public var description: String {
        switch self {
        case .text(let text): return "text(\(text.utf8.count) bytes)"
        case .binary(let bytes): return "binary(\(bytes.count) bytes)"
        }
    }
}

/// `RTCDataChannelInit`: how a channel is created.
///
/// ```swift
/// let game = try association.createDataChannel(label: "game", options: .init(ordered: false, maxPacketLifeTime: 100))
/// let control = try association.createDataChannel(label: "control", options: .init(negotiated: true, id: 7))
/// ```
public struct DataChannelOptions: Sendable, Equatable {
    public var ordered: Bool
    /// Milliseconds a message may be retransmitted for (PR-SCTP TTL).
    public var maxPacketLifeTime: UInt16?
    /// Retransmissions a message may get (PR-SCTP RTX).
    public var maxRetransmits: UInt16?
    public var `protocol`: String
    /// Agreed out of band on both sides with the same `id`: no DCEP.
    public var negotiated: Bool
    /// The stream id of a negotiated channel (ignored otherwise, as in W3C).
    public var id: UInt16?

    public init(
        ordered: Bool = true, maxPacketLifeTime: UInt16? = nil, maxRetransmits: UInt16? = nil, protocol: String = "",
        negotiated: Bool = false, id: UInt16? = nil
    ) {
        self.ordered = ordered
        self.maxPacketLifeTime = maxPacketLifeTime
        self.maxRetransmits = maxRetransmits
        self.protocol = `protocol`
        self.negotiated = negotiated
        self.id = id
    }

    /// The reliability these options ask for, after W3C's TypeError checks.
    func validated(label: String) throws(DataChannelError) -> DataChannelReliability {
        if label.utf8.count > Int(UInt16.max) { throw .invalidParameters("the label is over 65535 bytes") }
        if self.protocol.utf8.count > Int(UInt16.max) { throw .invalidParameters("the protocol is over 65535 bytes") }
        if negotiated {
            guard let id else { throw .invalidParameters("a negotiated channel needs an id") }
            if id == UInt16.max { throw .invalidParameters("stream id 65535 is reserved") }
        }
        switch (maxPacketLifeTime, maxRetransmits) {
        case (.some, .some): throw .invalidParameters("maxPacketLifeTime and maxRetransmits are exclusive")
        case (.some(let milliseconds), nil): return .maxPacketLifeTime(milliseconds)
        case (nil, .some(let count)): return .maxRetransmits(count)
        case (nil, nil): return .reliable
        }
    }
}

/// Why a data channel call failed, or what went wrong on an open channel
/// (its `onError` event). The W3C error each case stands for is noted.
public enum DataChannelError: Error, Sendable, Equatable, CustomStringConvertible {
    /// InvalidStateError: `send()` when the channel is not open.
    case invalidState(DataChannelState)
    /// TypeError: the message is over the max-message-size both sides allow.
    case messageTooLarge(size: Int, limit: Int)
    /// OperationError: the message would take `bufferedAmount` past the cap.
    case bufferFull(bufferedAmount: Int, limit: Int)
    /// TypeError: options `createDataChannel` refuses.
    case invalidParameters(String)
    /// OperationError: a negotiated id that is already in use.
    case streamIDInUse(UInt16)
    /// OperationError: every stream id of our parity is taken.
    case noStreamIDAvailable
    /// The id is beyond the streams the association negotiated.
    case streamIDOutOfRange(UInt16, streams: UInt16)
    /// usrsctp refused a message for good.
    case sendFailed(SCTPError)
    /// The association failed ("sctp-failure").
    case associationFailed

    public var description: String {
        switch self {
        case .invalidState(let state): return "data channel is \(state.rawValue), not open"
        case .messageTooLarge(let size, let limit): return "message of \(size) bytes is over the \(limit)-byte limit"
        case .bufferFull(let buffered, let limit):
            return "bufferedAmount \(buffered) plus this message is over the \(limit)-byte cap"
        case .invalidParameters(let why): return "invalid data channel options: \(why)"
        case .streamIDInUse(let id): return "stream id \(id) is in use"
        case .noStreamIDAvailable: return "no free stream id"
        case .streamIDOutOfRange(let id, let streams): return "stream id \(id) is beyond the \(streams) negotiated streams"
        case .sendFailed(let error): return "send failed: \(error)"
        case .associationFailed: return "the SCTP association failed"
        }
    }
}
