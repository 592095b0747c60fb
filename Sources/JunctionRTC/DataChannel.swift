import Dispatch
import Synchronization

/// A WebRTC data channel, mirroring `RTCDataChannel` (and aiortc's): label,
/// protocol, id, ordering and reliability; `readyState`; `send()` of text,
/// binary and empty messages; `bufferedAmount` with
/// `bufferedAmountLowThreshold` and a `bufferedamountlow` event; events
/// open, message, close and error, delivered on the association's
/// `delegateQueue`.
///
/// `bufferedAmount` counts the bytes `send()` accepted that `usrsctp_sendv`
/// has not yet taken. It grows inside `send()` and shrinks only in a later
/// task on the delegate queue, so code running there sees it fall between
/// its own tasks, never during one (W3C).
///
/// Receive-side flow control (Junction's "a paused source stops reading
/// from its transport"): `pauseReceiving()` holds the channel's messages
/// and makes the association stop reading SCTP once one arrives, so the
/// peer's receive window closes and its own `bufferedAmount` grows.
/// A channel without an `onMessage` handler holds messages the same way
/// (up to `Configuration.heldMessageLimit` before reading stops), so none
/// are lost before a handler attaches.
///
/// ```swift
/// channel.bufferedAmountLowThreshold = 1 << 20
/// channel.onBufferedAmountLow = { sendMore() }
/// channel.onMessage = { message in
///     if case .text(let text) = message { print(text) }
/// }
/// try channel.send("hello")
/// try channel.send([0x01, 0x02])
/// channel.close()
/// ```
public final class DataChannel: Sendable {
    struct Handlers: Sendable {
        var onOpen: (@Sendable () -> Void)?
        var onMessage: (@Sendable (DataChannelMessage) -> Void)?
        var onClose: (@Sendable () -> Void)?
        var onError: (@Sendable (DataChannelError) -> Void)?
        var onBufferedAmountLow: (@Sendable () -> Void)?
    }

    struct State {
        var readyState: DataChannelState
        var bufferedAmount = 0
        var bufferedAmountLowThreshold = 0
        var handlers = Handlers()
        /// Messages received while paused or before `onMessage` was set.
        var held: [DataChannelMessage] = []
        var heldBytes = 0
        var receivingPaused = false

        /// Whether the association must stop reading for this channel.
        func blocksReading(limit: Int) -> Bool {
            receivingPaused ? !held.isEmpty : heldBytes > limit
        }
    }

    public let label: String
    public let `protocol`: String
    /// The SCTP stream id.
    public let id: UInt16
    public let ordered: Bool
    public let reliability: DataChannelReliability
    public let negotiated: Bool
    /// The largest message `send()` accepts (both sides' max-message-size).
    public let maxMessageSize: Int
    let maxBufferedAmount: Int
    let heldMessageLimit: Int
    let delegateQueue: DispatchQueue
    weak let association: SCTPAssociation?
    let state: Mutex<State>

    init(
        association: SCTPAssociation, id: UInt16, label: String, protocol: String, ordered: Bool,
        reliability: DataChannelReliability, negotiated: Bool, readyState: DataChannelState
    ) {
        self.association = association
        self.id = id
        self.label = label
        self.protocol = `protocol`
        self.ordered = ordered
        self.reliability = reliability
        self.negotiated = negotiated
        self.maxMessageSize = association.configuration.maxMessageSize
        self.maxBufferedAmount = association.configuration.maxBufferedAmount
        self.heldMessageLimit = association.configuration.heldMessageLimit
        self.delegateQueue = association.delegateQueue
        self.state = Mutex(State(readyState: readyState))
    }

    // MARK: - RTCDataChannel attributes

    public var maxRetransmits: UInt16? {
        if case .maxRetransmits(let count) = reliability { return count }
        return nil
    }

    public var maxPacketLifeTime: UInt16? {
        if case .maxPacketLifeTime(let milliseconds) = reliability { return milliseconds }
        return nil
    }

    public var readyState: DataChannelState { state.withLock { $0.readyState } }

    /// Bytes accepted by `send()` and not yet accepted by usrsctp. Never
    /// reset by close.
    public var bufferedAmount: Int { state.withLock { $0.bufferedAmount } }

    /// `onBufferedAmountLow` fires when `bufferedAmount` falls from above
    /// this to at or below it. Default 0.
    public var bufferedAmountLowThreshold: Int {
        get { state.withLock { $0.bufferedAmountLowThreshold } }
        set { state.withLock { $0.bufferedAmountLowThreshold = max(0, newValue) } }
    }

    // MARK: - Events (all on the delegate queue)

    public var onOpen: (@Sendable () -> Void)? {
        get { state.withLock { $0.handlers.onOpen } }
        set { state.withLock { $0.handlers.onOpen = newValue } }
    }

    /// Setting it delivers the messages held so far, in order.
    public var onMessage: (@Sendable (DataChannelMessage) -> Void)? {
        get { state.withLock { $0.handlers.onMessage } }
        set {
            state.withLock {
                $0.handlers.onMessage = newValue
                releaseHeld(&$0)
            }
            association?.resumeReading()
        }
    }

    public var onClose: (@Sendable () -> Void)? {
        get { state.withLock { $0.handlers.onClose } }
        set { state.withLock { $0.handlers.onClose = newValue } }
    }

    public var onError: (@Sendable (DataChannelError) -> Void)? {
        get { state.withLock { $0.handlers.onError } }
        set { state.withLock { $0.handlers.onError = newValue } }
    }

    public var onBufferedAmountLow: (@Sendable () -> Void)? {
        get { state.withLock { $0.handlers.onBufferedAmountLow } }
        set { state.withLock { $0.handlers.onBufferedAmountLow = newValue } }
    }

    // MARK: - Sending

    public func send(_ text: String) throws(DataChannelError) {
        try send(.text(text))
    }

    public func send(_ bytes: [UInt8]) throws(DataChannelError) {
        try send(.binary(bytes))
    }

    /// Queues one message. Throws `invalidState` unless open,
    /// `messageTooLarge` above `maxMessageSize`, `bufferFull` when
    /// `bufferedAmount` would pass the cap. An empty message goes out as
    /// one byte with PPID 56 or 57.
    public func send(_ message: DataChannelMessage) throws(DataChannelError) {
        let bytes: [UInt8]
        let ppid: SCTPPayloadProtocol
        switch message {
        case .text(let text):
            bytes = Array(text.utf8)
            ppid = bytes.isEmpty ? .stringEmpty : .string
        case .binary(let data):
            bytes = data
            ppid = bytes.isEmpty ? .binaryEmpty : .binary
        }
        guard let association else { throw .invalidState(.closed) }
        let size = bytes.count
        try state.withLock { state throws(DataChannelError) in
            guard state.readyState == .open else { throw .invalidState(state.readyState) }
            guard size <= maxMessageSize else { throw .messageTooLarge(size: size, limit: maxMessageSize) }
            guard state.bufferedAmount + size <= maxBufferedAmount else {
                throw .bufferFull(bufferedAmount: state.bufferedAmount, limit: maxBufferedAmount)
            }
            state.bufferedAmount += size
        }
        association.enqueue(SCTPOutgoingMessage(
            channel: self, stream: id, ppid: ppid, payload: size == 0 ? [0] : bytes, bufferedBytes: size,
            unordered: !ordered, reliability: reliability
        ))
    }

    /// Starts the closing procedure: queued messages go out, then the
    /// stream is reset; `onClose` fires once both directions are reset.
    public func close() {
        let closing = state.withLock { state in
            guard state.readyState == .open || state.readyState == .connecting else { return false }
            state.readyState = .closing
            return true
        }
        guard closing else { return }
        if let association {
            association.closeStream(id)
        } else {
            didClose()
        }
    }

    // MARK: - Receive-side flow control

    /// Stops delivering messages; the association stops reading SCTP as
    /// soon as one arrives for this channel.
    public func pauseReceiving() {
        state.withLock { $0.receivingPaused = true }
    }

    /// Delivers the held messages and lets the association read again.
    public func resumeReceiving() {
        state.withLock {
            $0.receivingPaused = false
            releaseHeld(&$0)
        }
        association?.resumeReading()
    }

    public var isReceivingPaused: Bool { state.withLock { $0.receivingPaused } }

    // MARK: - From the association's queue

    /// A whole message arrived. Returns false when the association should
    /// stop reading until `resumeReading()`.
    func receive(_ message: DataChannelMessage) -> Bool {
        state.withLock { state in
            if state.held.isEmpty, !state.receivingPaused, let handler = state.handlers.onMessage {
                delegateQueue.async { handler(message) }
                return true
            }
            state.held.append(message)
            state.heldBytes += max(1, message.byteCount)
            return !state.blocksReading(limit: heldMessageLimit)
        }
    }

    var blocksReading: Bool {
        state.withLock { $0.blocksReading(limit: heldMessageLimit) }
    }

    /// usrsctp took `bytes` of this channel's messages: lower
    /// `bufferedAmount` in a task of the delegate queue and fire the low
    /// event there if it crossed the threshold.
    func didTransmit(_ bytes: Int) {
        delegateQueue.async { [self] in
            let handler = state.withLock { state -> (@Sendable () -> Void)? in
                let before = state.bufferedAmount
                state.bufferedAmount = max(0, before - bytes)
                let threshold = state.bufferedAmountLowThreshold
                return before > threshold && state.bufferedAmount <= threshold ? state.handlers.onBufferedAmountLow : nil
            }
            handler?()
        }
    }

    func didOpen() {
        let opened = state.withLock { state in
            guard state.readyState == .connecting else { return false }
            state.readyState = .open
            return true
        }
        if opened { announceOpen() }
    }

    /// The `open` event (for a channel the peer opened, created open).
    func announceOpen() {
        dispatch { $0.onOpen?() }
    }

    func beginClosing() {
        state.withLock { state in
            if state.readyState == .open || state.readyState == .connecting { state.readyState = .closing }
        }
    }

    func didClose() {
        let closed = state.withLock { state in
            guard state.readyState != .closed else { return false }
            state.readyState = .closed
            return true
        }
        if closed { dispatch { $0.onClose?() } }
    }

    func report(_ error: DataChannelError) {
        dispatch { $0.onError?(error) }
    }

    /// Runs `event` with the handlers as they are when it runs, so a handler
    /// set in `onDataChannel` still sees the `open` that follows.
    private func dispatch(_ event: @escaping @Sendable (Handlers) -> Void) {
        delegateQueue.async { [self] in event(state.withLock { $0.handlers }) }
    }

    private func releaseHeld(_ state: inout State) {
        guard !state.receivingPaused, let handler = state.handlers.onMessage, !state.held.isEmpty else { return }
        let held = state.held
        state.held = []
        state.heldBytes = 0
        delegateQueue.async { for message in held { handler(message) } }
    }
}
