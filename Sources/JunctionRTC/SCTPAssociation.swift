import CUsrsctp
import Dispatch
import Glibc
import Synchronization

/// Where an association stands. `closed` and `failed` are final.
public enum SCTPAssociationState: String, Sendable {
    /// Created, `connect()` not yet called.
    case new
    /// INIT sent, waiting for the handshake (COMM_UP).
    case connecting
    /// COMM_UP: channels can open.
    case connected
    /// Closed here (`close()`, which aborts) or shut down by the peer.
    case closed
    /// The peer aborted, or the association could not be set up or was lost.
    case failed
}

/// One SCTP association over usrsctp's AF_CONN transport (RFC 8831): the
/// layer between DTLS (which carries its packets) and the data channels.
///
/// Threading: everything that touches the usrsctp socket runs on `queue`,
/// one serial queue (the peer connection's). usrsctp's callbacks only copy
/// and hop onto it. Application events (channel open/message/close, new
/// channels, state changes) are delivered on `delegateQueue`, so a handler
/// that calls `send()` never re-enters the association.
///
/// ```swift
/// let association = try SCTPAssociation(configuration: .init(isDTLSClient: true)) { packet in
///     dtls.write(packet)                       // on association.queue
/// }
/// association.onDataChannel = { channel in channel.onMessage = { print($0) } }
/// association.connect()
/// dtls.onPacket = { association.receive(packet: $0) }
/// let chat = try association.createDataChannel(label: "chat")
/// chat.onOpen = { try? chat.send("hello") }
/// ```
public final class SCTPAssociation: @unchecked Sendable {
    // @unchecked: the `var`s below are confined to `queue` (see the type's
    // documentation); everything else is immutable, atomic or in a Mutex.

    /// What an association needs from the SDP exchange and the DTLS role.
    public struct Configuration: Sendable {
        /// Whether this side is the DTLS client (`a=setup:active`): it then
        /// opens channels on even stream ids, the server on odd ones (RFC 8832 §6).
        public var isDTLSClient: Bool
        /// Our `a=sctp-port`.
        public var localPort: UInt16 = 5_000
        /// The peer's `a=sctp-port`.
        public var remotePort: UInt16 = 5_000
        /// Our `a=max-message-size`: the largest message we accept (0 = no limit of ours).
        public var localMaxMessageSize = 262_144
        /// The peer's `a=max-message-size` (65536 when its SDP has none, RFC 8841 §6; 0 = no limit).
        public var remoteMaxMessageSize = 262_144
        /// Streams offered in INIT, both directions; the peer's counts may lower them.
        public var streams: UInt16 = 1_024
        /// SO_SNDBUF and SO_RCVBUF (at least the larger max message size).
        public var socketBufferSize = 1 << 20
        /// Per channel: the most `bufferedAmount` may reach; `send()` beyond it throws.
        public var maxBufferedAmount = 16 << 20
        /// Per channel: bytes of received messages held while no message
        /// handler is attached before the association stops reading.
        public var heldMessageLimit = 1 << 20

        public init(isDTLSClient: Bool, localPort: UInt16 = 5_000, remotePort: UInt16 = 5_000) {
            self.isDTLSClient = isDTLSClient
            self.localPort = localPort
            self.remotePort = remotePort
        }

        /// The largest message `send()` accepts: the smaller of both sides'
        /// limits, 0 meaning none.
        public var maxMessageSize: Int {
            let limits = [localMaxMessageSize, remoteMaxMessageSize].filter { $0 > 0 }
            return limits.min() ?? Int.max
        }

        /// The largest message we reassemble before discarding it.
        var receiveLimit: Int { localMaxMessageSize > 0 ? localMaxMessageSize : 16 << 20 }
    }

    /// Inputs that were malformed or unexpected and were dropped (each is
    /// counted here, never fatal).
    public struct Statistics: Sendable, Equatable {
        /// PPID 50 messages that are not valid DCEP, or an OPEN for a stream in use.
        public var malformedDCEP = 0
        /// Data for a stream with no channel, or with an unknown PPID.
        public var unroutableMessages = 0
        /// Messages larger than our max-message-size, discarded.
        public var oversizedMessages = 0
        /// Messages usrsctp refused for good (not EAGAIN).
        public var sendFailures = 0
    }

    /// Handlers and mirrors the application reads from any thread.
    struct Shared {
        var state = SCTPAssociationState.new
        var statistics = Statistics()
        var onStateChange: (@Sendable (SCTPAssociationState) -> Void)?
        var onDataChannel: (@Sendable (DataChannel) -> Void)?
    }

    public let configuration: Configuration
    /// The serial queue that owns the socket; `output` runs on it.
    public let queue: DispatchQueue
    /// Where application events are delivered.
    public let delegateQueue: DispatchQueue
    let output: @Sendable ([UInt8]) -> Void
    /// Set while an upcall is on its way to `queue`, so a burst of upcalls costs one hop.
    let upcallPending = Atomic<Bool>(false)
    let shared = Mutex(Shared())
    let streamIDs: Mutex<SCTPStreamIDs>
    /// The registry token; usrsctp knows this association only by it.
    private(set) var token: UInt = 0
    /// Scratch space for `usrsctp_recvv`.
    let receiveBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)

    // Confined to `queue`.
    var socket: OpaquePointer?
    var lifecycle = SCTPAssociationState.new
    var outbox = SCTPOutbox()
    var streams: [UInt16: SCTPStream] = [:]
    var pendingResets: [UInt16] = []
    var inbound = SCTPInbound()
    var readStalled = false
    var outboundStreams: UInt16 = 0
    var earlyPackets: [[UInt8]] = []

    /// Creates the socket, sets its options and binds it; `connect()` starts
    /// the handshake. `output` receives every outgoing SCTP packet, on `queue`.
    public init(
        configuration: Configuration, queue: DispatchQueue? = nil, delegateQueue: DispatchQueue? = nil,
        output: @escaping @Sendable ([UInt8]) -> Void
    ) throws(SCTPError) {
        SCTPRuntime.start()
        self.configuration = configuration
        self.queue = queue ?? DispatchQueue(label: "junction.sctp.association")
        self.delegateQueue = delegateQueue ?? DispatchQueue(label: "junction.sctp.events")
        self.output = output
        self.streamIDs = Mutex(SCTPStreamIDs(limit: configuration.streams))
        token = SCTPRuntime.register(self, queue: self.queue)
        usrsctp_register_address(SCTPRuntime.address(of: token))
        do throws(SCTPError) {
            socket = try openSocket()
        } catch {
            usrsctp_deregister_address(SCTPRuntime.address(of: token))
            SCTPRuntime.unregister(token)
            throw error
        }
    }

    deinit {
        if let socket {
            usrsctp_close(socket)
            usrsctp_deregister_address(SCTPRuntime.address(of: token))
        }
        SCTPRuntime.unregister(token)
        receiveBuffer.deallocate()
    }

    /// The current state (a snapshot; changes arrive through `onStateChange`).
    public var state: SCTPAssociationState { shared.withLock { $0.state } }

    /// Dropped-input counters.
    public var statistics: Statistics { shared.withLock { $0.statistics } }

    /// The largest message a channel's `send()` accepts.
    public var maxMessageSize: Int { configuration.maxMessageSize }

    /// Called on `delegateQueue` on every state change.
    public var onStateChange: (@Sendable (SCTPAssociationState) -> Void)? {
        get { shared.withLock { $0.onStateChange } }
        set { shared.withLock { $0.onStateChange = newValue } }
    }

    /// Called on `delegateQueue` with each channel the peer opens, before
    /// its `open` event. Its messages are held until `onMessage` is set.
    public var onDataChannel: (@Sendable (DataChannel) -> Void)? {
        get { shared.withLock { $0.onDataChannel } }
        set { shared.withLock { $0.onDataChannel = newValue } }
    }

    /// Sends INIT to the peer's port. Both sides connect (RFC 8841 §9.3);
    /// packets received before this are held and fed in after it.
    public func connect() {
        queue.async { [self] in
            guard lifecycle == .new, let socket else { return }
            setState(.connecting)
            var address = connAddress(port: configuration.remotePort)
            let status = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    usrsctp_connect(socket, $0, socklen_t(MemoryLayout<sockaddr_conn>.size))
                }
            }
            if status < 0, errno != EINPROGRESS {
                terminate(.failed)
                return
            }
            let held = earlyPackets
            earlyPackets = []
            for packet in held { input(packet) }
        }
    }

    /// Feeds one SCTP packet (a DTLS record's plaintext) to usrsctp.
    public func receive(packet: [UInt8]) {
        queue.async { [self] in
            switch lifecycle {
            case .new where earlyPackets.count < 16: earlyPackets.append(packet)
            case .connecting, .connected: input(packet)
            default: break
            }
        }
    }

    /// Aborts the association (SO_LINGER 0: usrsctp sends ABORT) and closes
    /// every channel. Idempotent.
    public func close() {
        queue.async { [self] in terminate(.closed) }
    }

    // MARK: - On `queue`

    private func input(_ packet: [UInt8]) {
        guard socket != nil, !packet.isEmpty else { return }
        packet.withUnsafeBytes { usrsctp_conninput(SCTPRuntime.address(of: token), $0.baseAddress, $0.count, 0) }
    }

    /// One packet from usrsctp's `conn_output`, now on `queue`.
    func emit(packet: [UInt8]) {
        output(packet)
    }

    /// From the upcall (any thread): one hop to `queue` per burst.
    func scheduleUpcall(on queue: DispatchQueue) {
        guard !upcallPending.exchange(true, ordering: .acquiringAndReleasing) else { return }
        queue.async { [self] in handleUpcall() }
    }

    private func handleUpcall() {
        upcallPending.store(false, ordering: .releasing)
        guard let socket else { return }
        let events = usrsctp_get_events(socket)
        if events & Int32(SCTP_EVENT_WRITE) != 0 { flushOutbox() }
        if events & Int32(SCTP_EVENT_READ) != 0 { drainReceive() }
    }

    func setState(_ new: SCTPAssociationState) {
        guard lifecycle != new else { return }
        lifecycle = new
        shared.withLock { $0.state = new }
        delegateQueue.async { [self] in shared.withLock { $0.onStateChange }?(new) }
    }

    func count(_ counter: WritableKeyPath<Statistics, Int>) {
        shared.withLock { $0.statistics[keyPath: counter] += 1 }
    }

    /// Closes the socket once and every channel with it.
    func terminate(_ final: SCTPAssociationState) {
        guard lifecycle != .closed, lifecycle != .failed else { return }
        if let socket {
            self.socket = nil
            usrsctp_close(socket)
            usrsctp_deregister_address(SCTPRuntime.address(of: token))
        }
        SCTPRuntime.unregister(token)
        outbox.removeAll()
        pendingResets.removeAll()
        earlyPackets.removeAll()
        streamIDs.withLock { $0.isClosed = true }
        let channels = streams.values.map(\.channel).sorted { $0.id < $1.id }
        streams.removeAll()
        for channel in channels {
            if final == .failed { channel.report(.associationFailed) }
            channel.didClose()
        }
        setState(final)
    }

    func connAddress(port: UInt16) -> sockaddr_conn {
        var address = sockaddr_conn()
        address.sconn_family = UInt16(AF_CONN)
        address.sconn_port = port.bigEndian
        address.sconn_addr = SCTPRuntime.address(of: token)
        return address
    }
}
