import Dispatch
import Foundation
import Junction
import JunctionRTC
import Logging
import Metrics
import Synchronization

/// The process's WebRTC sessions and their open channels, shared by the
/// signaling endpoints (`POST /rtc/offer`, RTM sessions), the `datachannel`
/// sources (subscribers by label) and the sinks (senders by label or by
/// session).
///
/// ```swift
/// let hub = try DataChannelPlugin.sharedHub(services: services)
/// let pc = try hub.accept(offer: sdp, id: "session-1") { state in print(state) }
/// send(pc.answer.sdp)
/// ```
public final class DataChannelHub: LifecycleService, @unchecked Sendable {
    /// One open channel and the session it belongs to.
    struct Entry {
        let session: String
        let channel: DataChannel
    }

    /// What a source hears: every message of every channel with its label.
    typealias Subscriber = @Sendable (_ message: DataChannelMessage, _ entry: Entry) -> Void

    /// Which way a tapped message went.
    public enum TapDirection: Sendable {
        /// From the peer.
        case received
        /// To the peer (a sink sent it).
        case sent
    }

    /// What a tap hears: every message of one session's channels, both ways,
    /// with the channel's label. Called on the connection's or the sink's
    /// queue; hop off it for anything slow.
    public typealias Tap = @Sendable (_ direction: TapDirection, _ label: String, _ message: DataChannelMessage) -> Void

    let config: RTCSectionConfig
    let logger: Logger
    private let certificate: DTLSCertificate
    private let lock = NSLock()
    private var sessions: [String: PeerConnection] = [:]
    private var channels: [ObjectIdentifier: Entry] = [:]
    private var subscribers: [String: [Int: Subscriber]] = [:]
    /// Labels whose source is paused: their channels stop reading SCTP.
    private var pausedLabels: [String: Int] = [:]
    private var negotiated: [UInt16: String] = [:]
    /// Labels Junction opens on every session (DCEP).
    private var opened: [String] = []
    private var lowWaiters: [ObjectIdentifier: [(threshold: Int, run: @Sendable () -> Void)]] = [:]
    private var nextToken = 0
    private var stopping = false
    private var taps: [String: [Int: Tap]] = [:]
    /// Whether any tap exists: the send path looks no further when not.
    private let tapping = Atomic<Int>(0)
    private var lastBadOfferLog: UInt64 = 0

    private let sessionsOpen = Gauge(label: "junction_rtc_sessions_open")
    private let channelsOpen = Gauge(label: "junction_rtc_channels_open")
    private let sessionsTotal = Counter(label: "junction_rtc_sessions_total")
    private let sessionsFailed = Counter(label: "junction_rtc_sessions_failed_total")
    private let badOffers = Counter(label: "junction_rtc_bad_offers_total")
    private let unrouted = Counter(label: "junction_rtc_unrouted_messages_total")
    private let droppedDatagrams = Counter(label: "junction_rtc_dropped_datagrams_total")

    init(config: RTCSectionConfig, logger: Logger) throws {
        self.config = config
        self.logger = logger
        do {
            certificate = try DTLSCertificate(validityDays: 30)
        } catch {
            throw ConfigDiagnostic("rtc: could not make the DTLS certificate: \(error)")
        }
        sessionsOpen.record(0)
        channelsOpen.record(0)
    }

    // MARK: Configuration (before the pipeline starts)

    /// A channel every session opens without DCEP; one label per stream id.
    func addNegotiated(label: String, id: Int) throws {
        try lock.withLock {
            let sid = UInt16(id)
            if let other = negotiated[sid], other != label {
                throw ConfigDiagnostic.field("id", "stream id \(id) is already the negotiated channel '\(other)'")
            }
            negotiated[sid] = label
        }
    }

    /// A channel Junction opens itself on every session.
    func addOpened(label: String) {
        lock.withLock { if !opened.contains(label) { opened.append(label) } }
    }

    // MARK: Sessions

    /// Why an offer got no peer connection.
    public enum OfferError: Error, Equatable {
        /// The offer (or the id) cannot be used; the text says why.
        case bad(String)
        /// `max_sessions` sessions are open.
        case full

        /// The reason in words, for an error reply.
        public var reason: String {
            switch self {
            case .bad(let why): return why
            case .full: return "too many WebRTC sessions (rtc.max_sessions)"
            }
        }
    }

    /// Answers an offer: a new peer connection whose channels join the hub.
    /// `id` names the session (a random id when `nil`); `onStateChange`
    /// hears every state change after the hub has handled it.
    public func accept(
        offer text: String, id requested: String? = nil,
        onStateChange observer: (@Sendable (PeerConnection.State) -> Void)? = nil
    ) throws(OfferError) -> PeerConnection {
        let offer = try parse(text)
        guard lock.withLock({ sessions.count }) < config.maxSessions else { throw .full }
        var configuration = PeerConnection.Configuration(addresses: config.addresses, certificate: certificate)
        configuration.maxMessageSize = config.maxMessageSize.bytes
        configuration.connectTimeout = .milliseconds(Int(config.connectTimeout.value * 1000))
        configuration.consentTimeout = .milliseconds(Int(config.consentTimeout.value * 1000))
        configuration.negotiatedChannels = lock.withLock { negotiated.sorted { $0.key < $1.key }.map { (label: $0.value, id: $0.key) } }
        configuration.openedChannels = lock.withLock { opened }
        if let requested {
            guard lock.withLock({ sessions[requested] == nil }) else { throw .bad("session id '\(requested)' is in use") }
            configuration.id = requested
        }
        let pc: PeerConnection
        do {
            pc = try PeerConnection(offer: offer, configuration: configuration)
        } catch {
            if case .offer(let sdp) = error { throw badOffer("SDP offer not usable: \(sdp)") }
            logger.error("could not answer a WebRTC offer", metadata: ["error": "\(error)"])
            throw .bad("\(error)")
        }
        let id = pc.id
        pc.onDataChannel = { [weak self] channel in self?.attach(channel, session: id) }
        pc.onStateChange = { [weak self] state in
            guard let self else { return }
            switch state {
            case .failed:
                sessionsFailed.increment()
                let reason = lock.withLock { sessions[id]?.failure } ?? "unknown"
                logger.warning("WebRTC session failed", metadata: ["session": "\(id)", "reason": "\(reason)"])
                remove(session: id)
            case .closed:
                logger.info("WebRTC session closed", metadata: ["session": "\(id)"])
                remove(session: id)
            case .connected:
                logger.info("WebRTC session connected", metadata: ["session": "\(id)"])
            case .new, .connecting, .disconnected:
                break
            }
            observer?(state)
        }
        let open = lock.withLock { () -> Int in
            sessions[id] = pc
            return sessions.count
        }
        sessionsTotal.increment()
        sessionsOpen.record(open)
        pc.start()
        return pc
    }

    /// Answers a later offer for an open session (renegotiation; see
    /// `PeerConnection.renegotiate(offer:)`) and returns the answer's SDP.
    /// A refused offer changes nothing and the session goes on.
    ///
    /// ```swift
    /// let answer = try hub.renegotiate(session: sessionID, offer: text)
    /// ```
    public func renegotiate(session id: String, offer text: String) throws(OfferError) -> String {
        let offer = try parse(text)
        guard let pc = lock.withLock({ sessions[id] }) else { throw .bad("no open WebRTC session '\(id)'") }
        do {
            let answer = try pc.renegotiate(offer: offer)
            logger.info("WebRTC session renegotiated", metadata: ["session": "\(id)", "version": "\(answer.local.sessionVersion)"])
            return answer.sdp
        } catch {
            if case .offer(let sdp) = error { throw badOffer("SDP offer not usable for renegotiation: \(sdp)") }
            throw .bad("\(error)")
        }
    }

    /// The offer text parsed, or a counted `.bad` saying why not.
    private func parse(_ text: String) throws(OfferError) -> SDPOffer {
        do {
            return try SDPOffer(parsing: text)
        } catch {
            throw badOffer("invalid SDP offer: \(error)")
        }
    }

    /// Counts and logs an offer refused before it reached SDP parsing.
    func countBadOffer(_ message: String) {
        _ = badOffer(message)
    }

    private func badOffer(_ message: String) -> OfferError {
        badOffers.increment()
        let now = DispatchTime.now().uptimeNanoseconds
        let log = lock.withLock { () -> Bool in
            guard now &- lastBadOfferLog >= 1_000_000_000 else { return false }
            lastBadOfferLog = now
            return true
        }
        if log { logger.warning("rejected WebRTC offer", metadata: ["reason": "\(message)"]) }
        return .bad(message)
    }

    private func remove(session id: String) {
        let (open, gone, pc) = lock.withLock { () -> (Int, [DataChannel], PeerConnection?) in
            let pc = sessions.removeValue(forKey: id)
            let gone = channels.values.filter { $0.session == id }.map(\.channel)
            return (sessions.count, gone, pc)
        }
        sessionsOpen.record(open)
        gone.forEach(detach)
        // Garbage, unauthenticated checks and DTLS from unchecked addresses, counted once per session.
        if let dropped = pc?.droppedDatagrams, dropped > 0 {
            droppedDatagrams.increment(by: dropped)
            logger.info("WebRTC session dropped datagrams", metadata: ["session": "\(id)", "count": "\(dropped)"])
        }
    }

    /// Closes one session (its channels close on both sides); unknown ids are ignored.
    public func close(session id: String) {
        lock.withLock { sessions[id] }?.close()
    }

    public func start() throws {}

    /// Shutdown (after the sinks drained): every session is closed, so peers
    /// see their channels close instead of waiting for a timeout.
    /// Whether ``stop()`` has begun: sessions closing now close because Junction stops.
    public var isStopping: Bool { lock.withLock { stopping } }

    public func stop() {
        let all = lock.withLock { () -> [PeerConnection] in
            stopping = true
            return Array(sessions.values)
        }
        all.forEach { $0.close() }
        // Twice: the close runs on each connection's queue and queues the SCTP ABORT there.
        for _ in 0..<2 { all.forEach { $0.queue.sync {} } }
    }

    // MARK: Channels

    private func attach(_ channel: DataChannel, session: String) {
        let entry = Entry(session: session, channel: channel)
        let key = ObjectIdentifier(channel)
        let (count, paused) = lock.withLock { () -> (Int, Bool) in
            channels[key] = entry
            return (channels.count, (pausedLabels[channel.label] ?? 0) > 0)
        }
        channelsOpen.record(count)
        if paused { channel.pauseReceiving() }
        channel.onClose = { [weak self, weak channel] in
            if let self, let channel { detach(channel) }
        }
        channel.onBufferedAmountLow = { [weak self, weak channel] in
            if let self, let channel { drained(channel) }
        }
        channel.onMessage = { [weak self] message in
            guard let self else { return }
            let (subs, sessionTaps) = lock.withLock {
                (subscribers[entry.channel.label].map { Array($0.values) } ?? [], taps[entry.session].map { Array($0.values) } ?? [])
            }
            for tap in sessionTaps { tap(.received, entry.channel.label, message) }
            if subs.isEmpty {
                unrouted.increment()
                return
            }
            for sub in subs { sub(message, entry) }
        }
    }

    private func detach(_ channel: DataChannel) {
        let key = ObjectIdentifier(channel)
        let (count, waiters) = lock.withLock { () -> (Int?, [(threshold: Int, run: @Sendable () -> Void)]) in
            let removed = channels.removeValue(forKey: key) != nil
            return (removed ? channels.count : nil, lowWaiters.removeValue(forKey: key) ?? [])
        }
        if let count { channelsOpen.record(count) }
        waiters.forEach { $0.run() }
    }

    /// Open channels with `label`; only those of `session` when given.
    func channels(label: String, session: String? = nil) -> [Entry] {
        lock.withLock {
            channels.values.filter { $0.channel.label == label && (session == nil || $0.session == session) }
        }
    }

    // MARK: Taps

    /// Hears every message of `session`'s channels, both ways (RTM
    /// recordings and supervisors); returns the token for ``untap(session:token:)``.
    ///
    /// ```swift
    /// let token = hub.tap(session: "s-1") { direction, label, message in record(direction, label, message) }
    /// ```
    public func tap(session: String, _ tap: @escaping Tap) -> Int {
        lock.withLock {
            nextToken += 1
            taps[session, default: [:]][nextToken] = tap
            tapping.add(1, ordering: .relaxed)
            return nextToken
        }
    }

    /// Removes a tap; unknown tokens are ignored.
    public func untap(session: String, token: Int) {
        lock.withLock {
            guard taps[session]?.removeValue(forKey: token) != nil else { return }
            if taps[session]?.isEmpty == true { taps[session] = nil }
            tapping.subtract(1, ordering: .relaxed)
        }
    }

    /// A sink sent `message` on `channel`: the taps of its session hear it.
    func noteSent(_ message: DataChannelMessage, on channel: DataChannel) {
        guard tapping.load(ordering: .relaxed) > 0 else { return }
        let (label, sessionTaps) = lock.withLock { () -> (String, [Tap]) in
            guard let entry = channels[ObjectIdentifier(channel)] else { return ("", []) }
            return (entry.channel.label, taps[entry.session].map { Array($0.values) } ?? [])
        }
        for tap in sessionTaps { tap(.sent, label, message) }
    }

    /// Sends `message` on every open channel labelled `label` of `session`
    /// (an RTM supervisor's copy); `false` when none took it. Not tapped.
    public func send(_ message: DataChannelMessage, label: String, session: String) -> Bool {
        var sent = false
        for entry in channels(label: label, session: session) where entry.channel.readyState == .open {
            do {
                try entry.channel.send(message)
                sent = true
            } catch {
                logger.debug("data channel send failed", metadata: ["label": "\(label)", "session": "\(session)", "error": "\(error)"])
            }
        }
        return sent
    }

    // MARK: Sources

    func subscribe(label: String, _ subscriber: @escaping Subscriber) -> Int {
        lock.withLock {
            nextToken += 1
            subscribers[label, default: [:]][nextToken] = subscriber
            return nextToken
        }
    }

    func unsubscribe(label: String, token: Int) {
        lock.withLock { subscribers[label]?[token] = nil }
    }

    /// A paused source: its channels stop reading SCTP, so the peers' own
    /// bufferedAmount grows and they slow down.
    func setPaused(_ paused: Bool, label: String) {
        let affected = lock.withLock { () -> [DataChannel]? in
            let before = pausedLabels[label] ?? 0
            let after = max(0, before + (paused ? 1 : -1))
            pausedLabels[label] = after
            guard (before == 0) != (after == 0) else { return nil }
            return channels.values.filter { $0.channel.label == label }.map(\.channel)
        }
        for channel in affected ?? [] {
            if paused { channel.pauseReceiving() } else { channel.resumeReceiving() }
        }
    }

    // MARK: Sinks

    /// Runs `then` once `channel.bufferedAmount` is at most `threshold` (or the channel closed).
    func whenDrained(_ channel: DataChannel, below threshold: Int, then run: @escaping @Sendable () -> Void) {
        // The threshold first: a fall across it after this point fires the event,
        // which finds the waiter below or finds nothing because `run` ran already.
        if channel.bufferedAmountLowThreshold != threshold { channel.bufferedAmountLowThreshold = threshold }
        let key = ObjectIdentifier(channel)
        let now = lock.withLock { () -> Bool in
            guard channels[key] != nil, channel.bufferedAmount > threshold else { return true }
            lowWaiters[key, default: []].append((threshold, run))
            return false
        }
        if now { run() }
    }

    private func drained(_ channel: DataChannel) {
        let key = ObjectIdentifier(channel)
        let amount = channel.bufferedAmount
        let ready = lock.withLock { () -> [@Sendable () -> Void] in
            guard let waiting = lowWaiters[key] else { return [] }
            let (go, stay) = (waiting.filter { amount <= $0.threshold }, waiting.filter { amount > $0.threshold })
            lowWaiters[key] = stay.isEmpty ? nil : stay
            return go.map(\.run)
        }
        ready.forEach { $0() }
    }
}
