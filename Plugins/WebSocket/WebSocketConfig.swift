import Junction

/// `{type: websocket}` as a source or a sink: a path on the shared listener
/// (server mode) or a URL to connect to (client mode).
///
/// ```yaml
/// sources:
///   chat_in:  { type: websocket, path: /ws, max_message_size: 64KiB }
///   feed:     { type: websocket, url: "wss://feed.example/v1", headers: { Authorization: "Bearer ${TOKEN}" } }
/// sinks:
///   chat_out: { type: websocket, path: /ws }                 # replies go back to the sender, else to all
///   upstream: { type: websocket, url: "ws://10.0.0.5:9000/in", binary: true }
/// ```
public struct WebSocketConfig: ComponentConfig {
    /// Server mode: clients connect to this path of the `listen:` address.
    public var path: String?
    /// Client mode: Junction connects (and reconnects) to this `ws://` or `wss://` URL.
    public var url: String?
    /// Messages bigger than this close their connection with 1009 (in server
    /// mode the source's setting is the path's).
    public var maxMessageSize = ByteSize(1 << 20)
    /// Client mode: extra headers on the opening handshake.
    public var headers: [String: String] = [:]
    /// Sink: send every message as a binary (true) or text (false) frame; by
    /// default each message keeps its own kind.
    public var binary: Bool?
    /// Sink: a connection's `bufferedAmount` above which the sink waits for it to drain.
    public var highWaterMark = ByteSize(1 << 20)
    /// Client mode: idle time before a keepalive ping; 0 turns pings off.
    public var pingInterval = Seconds(30)
    /// Client mode: first reconnect delay; it doubles per failed attempt (with ±20 % jitter).
    public var reconnectDelay = Seconds(0.1)
    /// Client mode: longest reconnect delay.
    public var maxReconnectDelay = Seconds(30)
    /// Client mode, `wss`: accept self-signed certificates (testing only).
    public var insecure = false

    public init() {}

    /// Whether this is client mode (`url`).
    public var isClient: Bool { url != nil }

    public static let fields: [ConfigField<WebSocketConfig>] = [
        .field("path", \.path, "Server mode: the path on the shared listener that WebSocket clients connect to."),
        .field("url", \.url, "Client mode: the ws:// or wss:// URL to connect (and reconnect) to."),
        .field("max_message_size", \.maxMessageSize, "Largest message accepted; a bigger one closes its connection with 1009."),
        .field("headers", \.headers, "Client mode: extra headers on the handshake (Authorization, …)."),
        .field("binary", \.binary, "Sink: send every message as binary (true) or text (false) frames; default: each message's own kind."),
        .field("high_water_mark", \.highWaterMark, "Sink: a connection's bufferedAmount above which writes wait for it to drain."),
        .field("ping_interval", \.pingInterval, "Client mode: idle time before a keepalive ping (0: off); no answer within 10 s drops and reconnects."),
        .field("reconnect_delay", \.reconnectDelay, "Client mode: first reconnect delay, doubling per failed attempt, with jitter."),
        .field("max_reconnect_delay", \.maxReconnectDelay, "Client mode: longest reconnect delay."),
        .field("insecure", \.insecure, "Client mode: accept self-signed wss certificates (tests only)."),
    ]

    public func validate() throws {
        switch (path, url) {
        case (nil, nil):
            throw ConfigDiagnostic("websocket needs either path (server mode) or url (client mode)", hint: "path: /ws, or url: ws://host:port/path")
        case (.some, .some):
            throw ConfigDiagnostic.field("url", "path and url exclude each other: path serves clients, url connects to a server")
        case (.some(let path), nil):
            guard path.hasPrefix("/") else { throw ConfigDiagnostic.field("path", "path must start with /") }
            guard headers.isEmpty else { throw ConfigDiagnostic.field("headers", "headers apply to client mode (url) only") }
        case (nil, .some(let url)):
            let lower = url.lowercased()
            guard lower.hasPrefix("ws://") || lower.hasPrefix("wss://") else {
                throw ConfigDiagnostic.field("url", "url must start with ws:// or wss://")
            }
        }
        guard maxMessageSize.bytes >= 1 else { throw ConfigDiagnostic.field("max_message_size", "max_message_size must be at least 1 byte") }
        guard highWaterMark.bytes >= 1 else { throw ConfigDiagnostic.field("high_water_mark", "high_water_mark must be at least 1 byte") }
        guard (0...3600).contains(pingInterval.value) else { throw ConfigDiagnostic.field("ping_interval", "ping_interval must be within 0…1h") }
        guard reconnectDelay.value > 0 else { throw ConfigDiagnostic.field("reconnect_delay", "reconnect_delay must be positive") }
        guard maxReconnectDelay >= reconnectDelay else {
            throw ConfigDiagnostic.field("max_reconnect_delay", "max_reconnect_delay must not be shorter than reconnect_delay")
        }
    }
}
