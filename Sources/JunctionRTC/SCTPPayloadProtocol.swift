/// SCTP payload protocol identifiers of WebRTC data channels (RFC 8831 §8,
/// RFC 8832 §8.1).
enum SCTPPayloadProtocol: UInt32, Sendable {
    case dcep = 50
    case string = 51
    /// Deprecated partial string (part of a larger message); never sent.
    case stringPartial = 52
    case binary = 53
    /// Deprecated partial binary; never sent.
    case binaryPartial = 54
    /// An empty string: one ignored byte on the wire.
    case stringEmpty = 56
    /// An empty binary message: one ignored byte on the wire.
    case binaryEmpty = 57
}

/// One message waiting for `usrsctp_sendv`.
struct SCTPOutgoingMessage {
    /// The channel whose `bufferedAmount` counts it (nil for DCEP).
    let channel: DataChannel?
    let stream: UInt16
    let ppid: SCTPPayloadProtocol
    /// The bytes on the wire (one zero byte for an empty message).
    let payload: [UInt8]
    /// What `send()` added to `bufferedAmount`: the message's length, 0 for DCEP and empty messages.
    let bufferedBytes: Int
    let unordered: Bool
    let reliability: DataChannelReliability

    /// A DCEP message: ordered and reliable, so nothing overtakes an OPEN.
    static func control(stream: UInt16, _ bytes: [UInt8]) -> SCTPOutgoingMessage {
        SCTPOutgoingMessage(
            channel: nil, stream: stream, ppid: .dcep, payload: bytes, bufferedBytes: 0, unordered: false, reliability: .reliable
        )
    }
}

/// The association's send queue: messages in `send()` order, and stream
/// resets queued behind the messages of the channel being closed.
struct SCTPOutbox {
    enum Item {
        case message(SCTPOutgoingMessage)
        case resetStream(UInt16)
    }

    private var items: [Item] = []
    private var head = 0

    var isEmpty: Bool { head == items.count }
    var first: Item? { isEmpty ? nil : items[head] }

    mutating func append(_ item: Item) {
        items.append(item)
    }

    mutating func removeFirst() {
        head += 1
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 256, head * 2 >= items.count {
            items.removeFirst(head)
            head = 0
        }
    }

    mutating func removeAll() {
        items.removeAll()
        head = 0
    }
}
