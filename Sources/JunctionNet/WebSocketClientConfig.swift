/// Settings for one ``WebSocketClient``.
///
/// ```swift
/// var config = WebSocketClientConfig(url: "wss://feed.example/stream")
/// config.headers = [("Authorization", "Bearer \(token)")]
/// config.maxMessageSize = 4 << 20
/// let client = try WebSocketClient(config: config, logger: logger)
/// ```
public struct WebSocketClientConfig: Sendable {
    /// `ws://host[:port]/path[?query]` or `wss://…`.
    public var url: String
    /// Extra request headers on the opening handshake (`Authorization`, …).
    public var headers: [(String, String)] = []
    /// Messages bigger than this close the connection with 1009 (and it reconnects).
    public var maxMessageSize: Int = 1 << 20
    /// Seconds of silence before libwebsockets pings the server; 0 turns pings off.
    public var pingInterval: Int = 30
    /// Seconds after a ping within which the server must answer before the
    /// connection is dropped (and then re-established).
    public var pingTimeout: Int = 10
    /// First reconnect delay in seconds; it doubles with every failed attempt.
    public var reconnectDelay: Double = 0.1
    /// Longest reconnect delay in seconds.
    public var maxReconnectDelay: Double = 30
    /// Random spread of each delay, as a fraction of it (0.2: ±20 %).
    public var jitter: Double = 0.2
    /// `wss`: accept self-signed certificates and any host name (tests only).
    public var allowSelfSigned = false
    /// Start with reading paused (see ``WebSocketConnection/pause()``).
    public var startPaused = false

    /// A client for `url` with default settings.
    ///
    /// ```swift
    /// let config = WebSocketClientConfig(url: "ws://127.0.0.1:9000/feed")
    /// ```
    public init(url: String) {
        self.url = url
    }
}
