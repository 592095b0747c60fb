import Dispatch
import Synchronization

/// One WebSocket connection, usable from any thread: send, pause reading,
/// close, and watch its `bufferedAmount` like an `RTCDataChannel`'s.
///
/// Every call here only records what is wanted and wakes the libwebsockets
/// service thread, which applies it: queued messages are written on
/// `WRITEABLE`, a pause becomes `lws_rx_flow_control(wsi, 0)` (lws stops
/// reading the socket, so the peer's own send buffer fills), a close sends the
/// close frame once the queue is written.
///
/// ```swift
/// endpoint.onOpen = { connection in connection.send(WebSocketMessage(text: "welcome")) }
/// if connection.bufferedAmount > 1 << 20 {
///     connection.whenBufferedAmount(atMost: 256 << 10) { sendMore() }
/// }
/// ```
public final class WebSocketConnection: Sendable {
    /// Unique in the process; server connections and clients share the space.
    public let id: UInt64
    /// The mounted path (server side) or the URL (client side).
    public let path: String

    private let inbox: HTTPInbox
    private let state = Mutex(State())

    private struct State {
        var queue: [WebSocketMessage] = []
        var head = 0
        var buffered = 0
        var paused = false
        var closeRequest: (code: UInt16, reason: String)?
        var wakePending = false
        var open = false
        /// Closed for good: sends are refused, waiters released.
        var finished = false
        var remoteAddress = ""
        var waiters: [(threshold: Int, handler: @Sendable () -> Void)] = []
    }

    /// What the service thread should apply after a wake-up.
    struct Wanted {
        var paused: Bool
        var closeRequest: (code: UInt16, reason: String)?
        var hasOutput: Bool
    }

    private static let nextID = Atomic<UInt64>(0)

    /// Ids carry the top bit so the service loop can tell them from HTTP requests.
    static func makeID() -> UInt64 {
        (nextID.wrappingAdd(1, ordering: .relaxed).newValue) | (1 << 63)
    }

    static func isWebSocketID(_ id: UInt64) -> Bool { id & (1 << 63) != 0 }

    init(path: String, inbox: HTTPInbox, paused: Bool) {
        self.id = Self.makeID()
        self.path = path
        self.inbox = inbox
        state.withLock { $0.paused = paused }
    }

    /// The peer as `ip:port` (empty before the first connect).
    ///
    /// ```swift
    /// logger.info("peer", metadata: ["remote": "\(connection.remoteAddress)"])
    /// ```
    public var remoteAddress: String { state.withLock { $0.remoteAddress } }

    /// Whether the connection is established right now.
    ///
    /// ```swift
    /// if connection.isOpen { connection.send(WebSocketMessage(text: "hi")) }
    /// ```
    public var isOpen: Bool { state.withLock { $0.open } }

    /// Payload bytes queued and not yet handed to the socket.
    ///
    /// ```swift
    /// let busy = connection.bufferedAmount > highWater
    /// ```
    public var bufferedAmount: Int { state.withLock { $0.buffered } }

    /// Whether reading is paused (``pause()``).
    public var isPaused: Bool { state.withLock { $0.paused } }

    /// Queues `message`; false (nothing queued) once the connection is closed
    /// for good. A client's connection keeps queueing while it reconnects.
    ///
    /// ```swift
    /// guard connection.send(WebSocketMessage(binary: bytes)) else { return countLost() }
    /// ```
    @discardableResult
    public func send(_ message: WebSocketMessage) -> Bool {
        let wake: Bool? = state.withLock { s in
            guard !s.finished, s.closeRequest == nil else { return nil }
            s.queue.append(message)
            s.buffered += message.payload.count
            return Self.claimWake(&s)
        }
        guard let wake else { return false }
        if wake { inbox.send(.webSocket(id: id)) }
        return true
    }

    /// Queues `messages` in order under one lock: all or (once the
    /// connection is closed for good) none.
    ///
    /// ```swift
    /// guard connection.send(contentsOf: frames) else { return countLost(frames.count) }
    /// ```
    @discardableResult
    public func send(contentsOf messages: some Collection<WebSocketMessage>) -> Bool {
        guard !messages.isEmpty else { return true }
        let wake: Bool? = state.withLock { s in
            guard !s.finished, s.closeRequest == nil else { return nil }
            s.queue.append(contentsOf: messages)
            for message in messages { s.buffered += message.payload.count }
            return Self.claimWake(&s)
        }
        guard let wake else { return false }
        if wake { inbox.send(.webSocket(id: id)) }
        return true
    }

    /// Stops reading from the socket (`lws_rx_flow_control(wsi, 0)`) until ``resume()``.
    ///
    /// ```swift
    /// connection.pause()   // the peer's writes back up in its own buffers
    /// ```
    public func pause() { setPaused(true) }

    /// Reads from the socket again.
    ///
    /// ```swift
    /// connection.resume()
    /// ```
    public func resume() { setPaused(false) }

    /// Sends a close frame with `code` and `reason` after the queued messages.
    ///
    /// ```swift
    /// connection.close(code: WebSocketCloseCode.goingAway, reason: "shutting down")
    /// ```
    public func close(code: UInt16 = WebSocketCloseCode.normal, reason: String = "") {
        let wake: Bool = state.withLock { s in
            guard !s.finished, s.closeRequest == nil else { return false }
            s.closeRequest = (code, String(decoding: reason.utf8.prefix(123), as: UTF8.self))
            return Self.claimWake(&s)
        }
        if wake { inbox.send(.webSocket(id: id)) }
    }

    /// Calls `handler` once, on a Dispatch queue, as soon as ``bufferedAmount``
    /// is at most `threshold` (at once if it is already), or the connection
    /// closes for good — a waiting writer never hangs.
    ///
    /// ```swift
    /// connection.whenBufferedAmount(atMost: 64 << 10) { queue.async { resumeSending() } }
    /// ```
    public func whenBufferedAmount(atMost threshold: Int, _ handler: @escaping @Sendable () -> Void) {
        let now: Bool = state.withLock { s in
            if s.finished || s.buffered <= threshold { return true }
            s.waiters.append((threshold, handler))
            return false
        }
        if now { DispatchQueue.global().async(execute: handler) }
    }

    private func setPaused(_ paused: Bool) {
        let wake: Bool = state.withLock { s in
            guard s.paused != paused, !s.finished else { return false }
            s.paused = paused
            return Self.claimWake(&s)
        }
        if wake { inbox.send(.webSocket(id: id)) }
    }

    private static func claimWake(_ s: inout State) -> Bool {
        guard !s.wakePending else { return false }
        s.wakePending = true
        return true
    }

    // MARK: - Service thread

    /// Takes the wake-up: what to apply now.
    func wanted() -> Wanted {
        state.withLock { s in
            s.wakePending = false
            return Wanted(paused: s.paused, closeRequest: s.closeRequest, hasOutput: s.head < s.queue.count)
        }
    }

    /// Copies up to `limit` queued messages, from the oldest not yet wholly
    /// written, into `buffer` (emptied first), under one lock. They stay
    /// queued (and counted in ``bufferedAmount``) until ``wrote(_:completed:)``.
    func peekQueued(into buffer: inout [WebSocketMessage], limit: Int) {
        buffer.removeAll(keepingCapacity: true)
        state.withLock { s in
            let end = min(s.queue.count, s.head + limit)
            if s.head < end { buffer.append(contentsOf: s.queue[s.head..<end]) }
        }
    }

    /// Whether a close was asked for and everything queued before it is written.
    var closeDue: (code: UInt16, reason: String)? {
        state.withLock { s in s.head >= s.queue.count ? s.closeRequest : nil }
    }

    /// `bytes` payload bytes were handed to lws, and the `completed` oldest
    /// queued messages were written whole: one lock for a run of writes.
    func wrote(_ bytes: Int, completed: Int) {
        let ready: [@Sendable () -> Void] = state.withLock { s in
            s.buffered -= bytes
            if completed > 0 {
                let end = min(s.queue.count, s.head + completed)
                if end == s.queue.count {
                    s.queue.removeAll(keepingCapacity: s.queue.count < 1024)
                    s.head = 0
                } else {
                    // Written messages free their bytes now, not when the
                    // queue is next compacted.
                    for i in s.head..<end { s.queue[i] = WebSocketMessage(kind: .binary, payload: []) }
                    s.head = end
                    if s.head >= 256 && s.head * 2 >= s.queue.count {
                        s.queue.removeFirst(s.head)
                        s.head = 0
                    }
                }
            }
            return Self.takeWaiters(&s, all: false)
        }
        Self.fire(ready)
    }

    /// The connection is established (again): reset the close request of a
    /// previous connection of the same client.
    func opened(remoteAddress: String) {
        state.withLock { s in
            s.open = true
            s.remoteAddress = remoteAddress
        }
    }

    /// The connection closed. `forGood`: drop the queue and refuse sends
    /// (server connections, stopped clients); otherwise (a client that will
    /// reconnect) keep the queue for the next connection.
    func closed(forGood: Bool) {
        let ready: [@Sendable () -> Void] = state.withLock { s in
            s.open = false
            s.wakePending = false
            guard forGood else {
                s.closeRequest = nil
                return []
            }
            s.finished = true
            s.queue = []
            s.head = 0
            s.buffered = 0
            return Self.takeWaiters(&s, all: true)
        }
        Self.fire(ready)
    }

    private static func takeWaiters(_ s: inout State, all: Bool) -> [@Sendable () -> Void] {
        guard !s.waiters.isEmpty else { return [] }
        var ready: [@Sendable () -> Void] = []
        let buffered = s.buffered
        s.waiters.removeAll { w in
            guard all || buffered <= w.threshold else { return false }
            ready.append(w.handler)
            return true
        }
        return ready
    }

    private static func fire(_ handlers: [@Sendable () -> Void]) {
        for h in handlers { DispatchQueue.global().async(execute: h) }
    }
}
