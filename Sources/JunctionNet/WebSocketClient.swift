import Dispatch
import Logging
import Synchronization

/// A WebSocket client on libwebsockets that stays connected: it connects to
/// a `ws://` or `wss://` URL, and after every drop or failed attempt
/// reconnects with exponential backoff and jitter.
///
/// Its ``connection`` outlives the individual TCP connections: messages sent
/// while it is down wait in its queue (and count in `bufferedAmount`) until
/// the next handshake; pausing it pauses reading on every connection to come.
/// Events arrive in order on one serial queue.
///
/// ```swift
/// var config = WebSocketClientConfig(url: "ws://127.0.0.1:9000/feed")
/// config.headers = [("Authorization", "Bearer secret")]
/// let client = try WebSocketClient(config: config, logger: logger)
/// client.setHandlers(onMessages: { messages in print(messages.count, "messages") })
/// try client.start()
/// client.connection.send(WebSocketMessage(text: "subscribe"))
/// // …
/// client.stop()
/// ```
public final class WebSocketClient: Sendable {
    /// Called after every successful handshake.
    public typealias OpenHandler = @Sendable (WebSocketConnection) -> Void
    /// Whole messages, in arrival order.
    public typealias MessagesHandler = @Sendable ([WebSocketMessage]) -> Void
    /// A connection ended (1006 when it just dropped); the client reconnects unless stopped.
    public typealias CloseHandler = @Sendable (UInt16, String) -> Void

    /// The URL as configured.
    public let url: String
    /// The client's connection, across reconnects.
    public let connection: WebSocketConnection

    private let loop: WebSocketClientLoop
    private let phase = Mutex(0)  // 0 idle, 1 running, 2 stopped

    /// Checks `config` (the URL, the limits); nothing connects until ``start()``.
    ///
    /// ```swift
    /// let client = try WebSocketClient(config: WebSocketClientConfig(url: "ws://localhost:9000/"), logger: logger)
    /// ```
    public init(config: WebSocketClientConfig, logger: Logger) throws(WebSocketClientError) {
        let target = try WebSocketURL(config.url)
        guard config.maxMessageSize >= 1 else { throw .invalidConfig("maxMessageSize must be at least 1") }
        guard (0...3600).contains(config.pingInterval), (1...3600).contains(config.pingTimeout) else {
            throw .invalidConfig("pingInterval must be within 0…3600 and pingTimeout within 1…3600 seconds")
        }
        guard config.reconnectDelay > 0, config.maxReconnectDelay >= config.reconnectDelay, (0...1).contains(config.jitter) else {
            throw .invalidConfig("reconnect delays must be positive (max ≥ first) and jitter within 0…1")
        }
        for (name, value) in config.headers {
            guard HTTPToken.isValid(name), HTTPServiceLoop.isFieldValue(value) else {
                throw .invalidConfig("header '\(name)' is not a valid HTTP header")
            }
        }
        url = config.url
        let inbox = HTTPInbox()
        connection = WebSocketConnection(path: config.url, inbox: inbox, paused: config.startPaused)
        loop = WebSocketClientLoop(config: config, target: target, inbox: inbox, connection: connection, logger: logger)
        LWSLog.install(logger)
    }

    deinit {
        stop()
    }

    /// Sets the event handlers (before ``start()``, or any time after).
    ///
    /// ```swift
    /// client.setHandlers(onOpen: { _ in print("connected") }, onClose: { code, _ in print("closed", code) })
    /// ```
    public func setHandlers(onOpen: OpenHandler? = nil, onMessages: MessagesHandler? = nil, onClose: CloseHandler? = nil) {
        loop.handlers.withLock { $0 = .init(onOpen: onOpen, onMessages: onMessages, onClose: onClose) }
    }

    /// Starts the client's service thread and the first connection attempt.
    ///
    /// ```swift
    /// try client.start()
    /// ```
    public func start() throws(WebSocketClientError) {
        try phase.withLock { p throws(WebSocketClientError) in
            guard p == 0 else { throw .alreadyStarted }
            try loop.start()
            p = 1
        }
    }

    /// Closes the connection (1001) and ends the service thread. Queued
    /// messages are dropped; idempotent.
    ///
    /// ```swift
    /// client.stop()
    /// ```
    public func stop() {
        let running = phase.withLock { p -> Bool in
            defer { p = 2 }
            return p == 1
        }
        if running { loop.stopAndJoin() }
        connection.closed(forGood: true)
    }

    /// Successful handshakes so far.
    ///
    /// ```swift
    /// let reconnected = client.connects > 1
    /// ```
    public var connects: Int { loop.counters.connects.load(ordering: .relaxed) }

    /// Connection attempts that failed before the handshake completed.
    public var failedAttempts: Int { loop.counters.failures.load(ordering: .relaxed) }

    /// Messages refused with 1009 for being over the size limit.
    public var oversizedMessages: Int { loop.counters.oversized.load(ordering: .relaxed) }
}
