import Dispatch
import Synchronization

/// A WebSocket path on the shared listener: mount it on an ``HTTPServer`` (or
/// the ``HTTPListener``) and every client that upgrades on that path becomes
/// a ``WebSocketConnection`` of this endpoint.
///
/// Events arrive in order on one serial queue: `onOpen`, batches of received
/// messages, `onClose`. Pausing the endpoint pauses reading on every
/// connection, and on those that connect while it is paused.
///
/// ```swift
/// let endpoint = WebSocketEndpoint(path: "/ws", maxMessageSize: 1 << 20)
/// endpoint.setHandlers(
///     onOpen: { connection in print("hello", connection.remoteAddress) },
///     onMessages: { batch in for (connection, message) in batch { connection.send(message) } },
///     onClose: { connection, code, reason in print("bye", code, reason) })
/// server.mount(webSocket: endpoint)
/// ```
public final class WebSocketEndpoint: Sendable {
    /// Called once per connection, before its first message.
    public typealias OpenHandler = @Sendable (WebSocketConnection) -> Void
    /// Whole messages, in arrival order, with the connection each came on.
    public typealias MessagesHandler = @Sendable ([(WebSocketConnection, WebSocketMessage)]) -> Void
    /// The connection ended: the close code (1006 when it just dropped) and reason.
    public typealias CloseHandler = @Sendable (WebSocketConnection, UInt16, String) -> Void

    /// The mounted path (normalised: leading `/`, no trailing `/`).
    public let path: String
    /// Messages bigger than this close their connection with 1009 (applies to
    /// connections established after it is set).
    ///
    /// ```swift
    /// endpoint.maxMessageSize = 64 << 10
    /// ```
    public var maxMessageSize: Int {
        get { maxMessageSizeValue.load(ordering: .relaxed) }
        set { maxMessageSizeValue.store(max(1, newValue), ordering: .relaxed) }
    }

    private let maxMessageSizeValue: Atomic<Int>

    private let queue: DispatchQueue
    private let state: Mutex<State>
    private let oversizedCount = Atomic<Int>(0)
    private let receivedCount = Atomic<Int>(0)

    private struct State {
        var connections: [UInt64: WebSocketConnection] = [:]
        var paused: Bool
        var onOpen: OpenHandler?
        var onMessages: MessagesHandler?
        var onClose: CloseHandler?
        var messagesInline = false
        var bearerToken: [UInt8]?
    }

    /// An endpoint for `path`; `paused: true` keeps new connections unread
    /// until ``resume()`` (a consumer that is not started yet loses nothing).
    ///
    /// ```swift
    /// let endpoint = WebSocketEndpoint(path: "/ws", paused: true)
    /// ```
    public init(path: String, maxMessageSize: Int = 1 << 20, paused: Bool = false) {
        self.path = HTTPRouter.normalise(path)
        self.maxMessageSizeValue = Atomic(max(1, maxMessageSize))
        self.queue = DispatchQueue(label: "junction.websocket\(self.path)")
        self.state = Mutex(State(paused: paused))
    }

    /// Sets (or, with nil, clears) the event handlers. They run in order on
    /// the endpoint's own queue.
    ///
    /// With `messagesInline: true`, `onMessages` instead runs on the network
    /// thread that read the batch, right after its service pass (outside any
    /// libwebsockets callback), saving a thread hop per batch: for handlers
    /// that take microseconds and never block, such as handing messages to a
    /// pipeline. Such calls may come from several network threads at once,
    /// and are not ordered with `onOpen` and `onClose`.
    ///
    /// ```swift
    /// endpoint.setHandlers(onMessages: { batch in output.emit(batch.map(convert)) }, messagesInline: true)
    /// ```
    public func setHandlers(
        onOpen: OpenHandler? = nil, onMessages: MessagesHandler? = nil, onClose: CloseHandler? = nil, messagesInline: Bool = false
    ) {
        state.withLock { s in
            s.onOpen = onOpen
            s.onMessages = onMessages
            s.onClose = onClose
            s.messagesInline = messagesInline
        }
    }

    /// Refuses upgrades that do not carry `Authorization: Bearer <token>`
    /// (compared in constant time); `nil` accepts every client.
    ///
    /// ```swift
    /// endpoint.requireBearerToken(config.token)
    /// ```
    public func requireBearerToken(_ token: String?) {
        state.withLock { $0.bearerToken = token.map { Array($0.utf8) } }
    }

    /// Whether an upgrade with this `Authorization` header value may proceed.
    func authorizes(_ authorization: String?) -> Bool {
        guard let expected = state.withLock({ $0.bearerToken }) else { return true }
        guard let authorization, authorization.count > 7, authorization.prefix(7).lowercased() == "bearer " else { return false }
        let given = Array(authorization.utf8.dropFirst(7))
        guard given.count == expected.count else { return false }
        return zip(given, expected).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// The open connections.
    ///
    /// ```swift
    /// for connection in endpoint.connections { connection.send(WebSocketMessage(text: "tick")) }
    /// ```
    public var connections: [WebSocketConnection] {
        state.withLock { Array($0.connections.values) }
    }

    /// The open connection with this id, if any.
    ///
    /// ```swift
    /// endpoint.connection(id: id)?.send(reply)
    /// ```
    public func connection(id: UInt64) -> WebSocketConnection? {
        state.withLock { $0.connections[id] }
    }

    /// Stops reading on every connection, and on new ones, until ``resume()``.
    ///
    /// ```swift
    /// endpoint.pause()
    /// ```
    public func pause() { setPaused(true) }

    /// Reads again on every connection.
    ///
    /// ```swift
    /// endpoint.resume()
    /// ```
    public func resume() { setPaused(false) }

    /// Whether the endpoint is paused.
    public var isPaused: Bool { state.withLock { $0.paused } }

    /// Messages closed with 1009 for being over ``maxMessageSize``.
    ///
    /// ```swift
    /// metrics.gauge("oversized", endpoint.oversizedMessages)
    /// ```
    public var oversizedMessages: Int { oversizedCount.load(ordering: .relaxed) }

    /// Whole messages received.
    public var receivedMessages: Int { receivedCount.load(ordering: .relaxed) }

    private func setPaused(_ paused: Bool) {
        let all: [WebSocketConnection] = state.withLock { s in
            s.paused = paused
            return Array(s.connections.values)
        }
        for c in all { paused ? c.pause() : c.resume() }
    }

    // MARK: - From the service threads

    /// Registers `connection` and announces it; its pause state follows the endpoint's.
    func connected(_ connection: WebSocketConnection) {
        let (handler, paused) = state.withLock { s in
            s.connections[connection.id] = connection
            return (s.onOpen, s.paused)
        }
        if paused != connection.isPaused { paused ? connection.pause() : connection.resume() }
        if let handler { queue.async { handler(connection) } }
    }

    func deliver(_ batch: [(WebSocketConnection, WebSocketMessage)]) {
        receivedCount.wrappingAdd(batch.count, ordering: .relaxed)
        let inline = state.withLock { $0.messagesInline ? $0.onMessages : nil }
        if let inline { return inline(batch) }
        queue.async { [self] in
            let handler = state.withLock { $0.onMessages }
            handler?(batch)
        }
    }

    func disconnected(_ connection: WebSocketConnection, code: UInt16, reason: String) {
        let handler = state.withLock { s in
            s.connections[connection.id] = nil
            return s.onClose
        }
        if let handler { queue.async { handler(connection, code, reason) } }
    }

    func countOversized() {
        oversizedCount.wrappingAdd(1, ordering: .relaxed)
    }
}

/// The WebSocket mount table: exact paths. Written by `mount` from any
/// thread, read by the service threads on each upgrade.
final class WebSocketRouter: Sendable {
    private let table = Mutex<[String: WebSocketEndpoint]>([:])

    func mount(_ endpoint: WebSocketEndpoint) {
        table.withLock { $0[endpoint.path] = endpoint }
    }

    func endpoint(_ path: String) -> WebSocketEndpoint? {
        let path = HTTPRouter.normalise(path)
        return table.withLock { $0[path] }
    }
}
