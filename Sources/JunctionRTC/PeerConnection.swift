import Dispatch
import Synchronization

/// The answering side of one WebRTC peer connection with data channels only:
/// ICE-lite on one UDP socket per advertised address, DTLS, SCTP and DCEP.
///
/// Everything runs on one serial queue (``queue``); application events
/// (``onStateChange``, ``onDataChannel`` and the channels' own) on
/// ``delegateQueue``.
///
/// ```swift
/// let offer = try SDPOffer(parsing: sdpText)
/// let pc = try PeerConnection(offer: offer, configuration: .init(addresses: ["127.0.0.1"], certificate: certificate))
/// pc.onDataChannel = { channel in channel.onMessage = { message in try? channel.send(message) } }
/// pc.start()
/// respond(pc.answer.sdp)
/// ```
public final class PeerConnection: @unchecked Sendable {
    /// What a peer connection needs from its owner.
    public struct Configuration: Sendable {
        /// Numeric local IPs: one UDP socket and one host candidate each.
        public var addresses: [String]
        /// Our DTLS identity (one per process is usual).
        public var certificate: DTLSCertificate
        /// Largest message we accept (advertised as a=max-message-size).
        public var maxMessageSize = 262_144
        /// Channels opened without DCEP on every connection: (label, stream id).
        public var negotiatedChannels: [(label: String, id: UInt16)] = []
        /// Channels we open on every connection through DCEP (even ids as DTLS client).
        public var openedChannels: [String] = []
        /// Not connected this long after `start()`: failed.
        public var connectTimeout: Duration = .seconds(30)
        /// No authenticated ICE check for this long: failed (disconnected after a third of it).
        public var consentTimeout: Duration = .seconds(30)
        /// The connection's id; a random one when `nil` (RTM names its sessions itself).
        public var id: String?

        public init(addresses: [String], certificate: DTLSCertificate) {
            self.addresses = addresses
            self.certificate = certificate
        }
    }

    /// `RTCPeerConnectionState`, as far as an answerer can tell.
    public enum State: String, Sendable {
        case new, connecting, connected, disconnected, failed, closed
    }

    /// A random id for this connection (signaling answers carry it).
    public let id: String
    /// The SDP answer to send back: the first one, or the latest from
    /// ``renegotiate(offer:)``.
    public var answer: SDPAnswer { currentAnswer.withLock { $0 } }
    public let queue: DispatchQueue
    public let delegateQueue: DispatchQueue
    public var state: State { shared.withLock { $0.state } }
    /// Why the connection failed, when it did.
    public var failure: String? { shared.withLock { $0.failure } }

    /// Called on `delegateQueue` for every state change.
    public var onStateChange: (@Sendable (State) -> Void)? {
        get { shared.withLock { $0.onStateChange } }
        set { shared.withLock { $0.onStateChange = newValue } }
    }

    /// Called on `delegateQueue` with every channel: opened by the peer, or
    /// one of the configuration's negotiated channels.
    public var onDataChannel: (@Sendable (DataChannel) -> Void)? {
        get { shared.withLock { $0.onDataChannel } }
        set { shared.withLock { $0.onDataChannel = newValue } }
    }

    private struct Shared {
        var state = State.new
        var failure: String?
        var onStateChange: (@Sendable (State) -> Void)?
        var onDataChannel: (@Sendable (DataChannel) -> Void)?
    }

    private let shared = Mutex(Shared())
    private let currentAnswer: Mutex<SDPAnswer>
    private let configuration: Configuration
    // Confined to `queue`.
    private var sockets: [UDPSocket] = []
    private var agent: ICELiteAgent
    private var dtls: DTLSTransport!
    private var sctp: SCTPAssociation!
    private var timer: (any DispatchSourceTimer)?
    private var started: DispatchTime = .now()
    /// Peer addresses that passed an authenticated check (DTLS is taken only from them).
    private var validSources: Set<STUNAddress> = []
    private var dropped = 0
    private let relay: DatagramRelay

    /// Opens the sockets and builds the answer; nothing is sent before `start()`.
    public init(offer: SDPOffer, configuration: Configuration) throws(PeerConnectionError) {
        self.configuration = configuration
        // Random bytes for the SDP session id, and for the connection id unless one is given.
        var idBytes = [UInt8](repeating: 0, count: 8)
        do { idBytes = try SecureRandom.bytes(8) } catch { throw .setup("\(error)") }
        id = configuration.id ?? idBytes.map { String($0, radix: 16).leftPadded(2) }.joined()
        queue = DispatchQueue(label: "junction.rtc.pc.\(id)")
        delegateQueue = DispatchQueue(label: "junction.rtc.pc.\(id).events")

        let credentials: ICECredentials
        let fingerprint: DTLSFingerprint
        do {
            credentials = try ICECredentials.random()
            fingerprint = try configuration.certificate.fingerprint(algorithm: .sha256)
        } catch {
            throw .setup("\(error)")
        }
        agent = ICELiteAgent(local: credentials)
        let consent = UInt64(max(1, configuration.consentTimeout.components.seconds)) * 1_000_000_000
        agent.failedAfter = consent
        agent.disconnectedAfter = consent / 3

        // Sockets first: their ports go into the answer. Their datagrams reach
        // this connection through the relay, set once `self` exists.
        let relay = DatagramRelay()
        self.relay = relay
        var sockets: [UDPSocket] = []
        var candidates: [ICECandidate] = []
        for (index, address) in configuration.addresses.enumerated() {
            let socket: UDPSocket
            do {
                socket = try UDPSocket(bindTo: address, queue: queue) { datagram, source in
                    relay.connection?.received(datagram, from: source, socket: index)
                }
            } catch {
                sockets.forEach { $0.close() }
                throw .setup("\(error)")
            }
            sockets.append(socket)
            var candidate = ICECandidate.host(address: socket.local.host, port: Int(socket.local.port), foundation: "\(index + 1)")
            candidate.priority = ICECandidate.priority(typePreference: 126, localPreference: 65_535 - index, component: 1)
            candidates.append(candidate)
        }
        self.sockets = sockets
        let sessionID = idBytes.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) } & 0x7FFF_FFFF_FFFF_FFFF
        let answer: SDPAnswer
        do {
            answer = try SDPAnswer(offer: offer, local: SDPAnswer.Local(
                credentials: credentials, fingerprint: fingerprint, candidates: candidates,
                sessionID: sessionID, maxMessageSize: configuration.maxMessageSize))
        } catch {
            sockets.forEach { $0.close() }
            throw .offer(error)
        }
        currentAnswer = Mutex(answer)
        agent.remoteUfrag = answer.remote.credentials?.ufrag

        guard let role = DTLSTransport.Role(setup: answer.setup) else {
            sockets.forEach { $0.close() }
            throw .setup("no DTLS role for setup \(answer.setup)")
        }
        do {
            dtls = try DTLSTransport(
                role: role, certificate: configuration.certificate, remoteFingerprints: answer.remote.fingerprints,
                queue: queue, handshakeTimeout: configuration.connectTimeout
            ) { [weak self] datagram in self?.sendToPeer(datagram) }
        } catch {
            sockets.forEach { $0.close() }
            throw .setup("\(error)")
        }
        var sctpConfiguration = SCTPAssociation.Configuration(
            isDTLSClient: role == .client, localPort: 5_000, remotePort: UInt16(clamping: answer.remote.remoteSCTPPort))
        sctpConfiguration.localMaxMessageSize = configuration.maxMessageSize
        sctpConfiguration.remoteMaxMessageSize = answer.remote.remoteMaxMessageSize
        do {
            sctp = try SCTPAssociation(configuration: sctpConfiguration, queue: queue, delegateQueue: delegateQueue) { [weak self] packet in
                self?.sendSCTP(packet)
            }
        } catch {
            sockets.forEach { $0.close() }
            throw .setup("\(error)")
        }
        relay.connection = self
    }

    deinit {
        timer?.cancel()
        for socket in sockets { socket.close() }
    }

    /// Starts listening for checks and the connect timer.
    public func start() {
        queue.async { [self] in
            guard case .new = state else { return }
            started = .now()
            wireTransports()
            sockets.forEach { $0.start() }
            let timer = DispatchSource.makeTimerSource(queue: queue)
            timer.setEventHandler { [weak self] in self?.tick() }
            timer.schedule(deadline: .now() + .seconds(1), repeating: .seconds(1))
            timer.resume()
            self.timer = timer
            setState(.connecting)
        }
    }

    /// Closes every channel, the SCTP association (ABORT), DTLS
    /// (close_notify) and the sockets. Idempotent.
    public func close() {
        queue.async { [self] in finish(.closed, nil) }
    }

    /// Answers a later offer from the peer (renegotiation) and returns the
    /// new answer; channels, DTLS and SCTP go on untouched. Added audio or
    /// video sections are declined, new ICE credentials restart ICE (checks
    /// with the old ones are answered until the new ones arrive). An offer
    /// that would need a new connection is refused and changes nothing; see
    /// ``SDPAnswer/init(renegotiating:previous:restartCredentials:)``.
    /// Waits for `queue`: never call it from there.
    ///
    /// ```swift
    /// let later = try pc.renegotiate(offer: try SDPOffer(parsing: text))
    /// reply(later.sdp)
    /// ```
    public func renegotiate(offer: SDPOffer) throws(PeerConnectionError) -> SDPAnswer {
        dispatchPrecondition(condition: .notOnQueue(queue))
        let fresh: ICECredentials
        do { fresh = try ICECredentials.random() } catch { throw .setup("\(error)") }
        let result = queue.sync { () -> Result<SDPAnswer, PeerConnectionError> in
            guard state != .closed, state != .failed else { return .failure(.closed) }
            let previous = answer
            let next: SDPAnswer
            do throws(SDPError) {
                next = try SDPAnswer(renegotiating: offer, previous: previous, restartCredentials: fresh)
            } catch {
                return .failure(.offer(error))
            }
            if next.restartsICE(after: previous) {
                agent.restart(local: next.local.credentials, remoteUfrag: next.remote.credentials?.ufrag)
            }
            currentAnswer.withLock { $0 = next }
            return .success(next)
        }
        return try result.get()
    }

    /// Opens a channel from our side (DCEP OPEN once SCTP is up).
    public func createDataChannel(label: String, options: DataChannelOptions = DataChannelOptions()) throws(DataChannelError) -> DataChannel {
        try sctp.createDataChannel(label: label, options: options)
    }

    /// Datagrams that were neither STUN, nor DTLS from a checked address, nor
    /// answered. Waits for `queue`: never read it from there.
    public var droppedDatagrams: Int {
        dispatchPrecondition(condition: .notOnQueue(queue))
        return queue.sync { dropped }
    }

    // MARK: - On `queue`

    private func wireTransports() {
        dtls.onData = { [weak self] packet in self?.sctp.receive(packet: packet) }
        dtls.onStateChange = { [weak self] state in
            guard let self else { return }
            switch state {
            case .connected: sctp.connect()
            case .failed(let error): finish(.failed, "DTLS: \(error)")
            case .closed: finish(.closed, nil)
            case .new, .connecting: break
            }
        }
        sctp.onStateChange = { [weak self] state in
            guard let self else { return }
            queue.async {
                switch state {
                case .connected: self.setState(.connected)
                // After it was up, an ABORT is how peers hang up (aiortc's close()).
                case .failed where self.state == .connected || self.state == .disconnected: self.finish(.closed, nil)
                case .failed: self.finish(.failed, "SCTP association could not be set up")
                case .closed: self.finish(.closed, nil)
                case .new, .connecting: break
                }
            }
        }
        sctp.onDataChannel = { [weak self] channel in self?.announce(channel) }
        var ours: [DataChannel] = []
        for (label, id) in configuration.negotiatedChannels {
            if let channel = try? sctp.createDataChannel(label: label, options: DataChannelOptions(negotiated: true, id: id)) {
                ours.append(channel)
            }
        }
        for label in configuration.openedChannels {
            if let channel = try? sctp.createDataChannel(label: label) { ours.append(channel) }
        }
        if !ours.isEmpty {
            let created = ours
            delegateQueue.async { [weak self] in created.forEach { self?.announce($0) } }
        }
    }

    private func announce(_ channel: DataChannel) {
        shared.withLock { $0.onDataChannel }?(channel)
    }

    private func received(_ datagram: [UInt8], from source: STUNAddress, socket: Int) {
        switch UDPPacketKind(datagram) {
        case .stun:
            let outcome = agent.handle(datagram, from: source, socket: socket, now: DispatchTime.now().uptimeNanoseconds)
            if let reply = outcome.reply { sockets[socket].send(reply, to: source) }
            if outcome.problem == nil, outcome.reply != nil, validSources.count < 64 { validSources.insert(source) }
            if outcome.problem != nil { dropped += 1 }
            // RFC 8842 §6: the DTLS client starts once a pair is nominated.
            if outcome.nominatedNow, case .new = dtls.state, dtls.role == .client { dtls.start() }
        case .dtls:
            guard validSources.contains(source) else {
                dropped += 1
                return
            }
            dtls.receive(datagram: datagram)
        case .rtp, .other:
            dropped += 1
        }
    }

    private func sendToPeer(_ datagram: [UInt8]) {
        guard let pair = agent.selected else { return }
        sockets[pair.socket].send(datagram, to: pair.remote)
    }

    private func sendSCTP(_ packet: [UInt8]) {
        guard case .connected = dtls.state else { return }
        try? dtls.write(packet)
    }

    private func tick() {
        agent.tick(now: DispatchTime.now().uptimeNanoseconds)
        switch agent.state {
        case .failed:
            return finish(.failed, "ICE: no connectivity check for \(agent.failedAfter / 1_000_000_000) s")
        case .disconnected:
            if state == .connected { setState(.disconnected) }
        case .connected:
            if state == .disconnected { setState(.connected) }
        case .new, .checking:
            break
        }
        if state == .connecting, DispatchTime.now() > started + .nanoseconds(Int(configuration.connectTimeout.components.seconds) * 1_000_000_000) {
            finish(.failed, "not connected within \(configuration.connectTimeout)")
        }
    }

    private func finish(_ final: State, _ why: String?) {
        guard state != .closed, state != .failed else { return }
        if let why { shared.withLock { $0.failure = why } }
        timer?.cancel()
        timer = nil
        sctp.close()
        dtls.close()
        // Let the close_notify and ABORT leave before the sockets go.
        let sockets = self.sockets
        queue.asyncAfter(deadline: .now() + .milliseconds(50)) { sockets.forEach { $0.close() } }
        setState(final)
    }

    private func setState(_ next: State) {
        let handler = shared.withLock { s -> (@Sendable (State) -> Void)? in
            guard s.state != next else { return nil }
            s.state = next
            return s.onStateChange
        }
        if let handler { delegateQueue.async { handler(next) } }
    }
}

/// Hands socket datagrams to a connection that did not exist yet when the
/// sockets were opened (they are opened first: their ports go into the answer).
private final class DatagramRelay: @unchecked Sendable {
    weak var connection: PeerConnection?
}

/// Why a peer connection could not be made from an offer.
public enum PeerConnectionError: Error, Sendable, CustomStringConvertible {
    /// The offer cannot be answered (no data channel, no credentials …).
    case offer(SDPError)
    /// Sockets, certificate or a transport could not be set up.
    case setup(String)
    /// The connection is closed or failed: there is nothing to renegotiate.
    case closed

    public var description: String {
        switch self {
        case .offer(let error): return "\(error)"
        case .setup(let why): return "peer connection setup failed: \(why)"
        case .closed: return "the peer connection is closed"
        }
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
