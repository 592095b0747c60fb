/// Settings for one ``HTTPServer`` listener.
///
/// Every limit here is a default that the config file can override.
///
/// ```swift
/// var config = HTTPServerConfig(host: "127.0.0.1", port: 8080)
/// config.maxBodySize = 64 * 1024
/// config.tls = (certPath: "/etc/junction/cert.pem", keyPath: "/etc/junction/key.pem")
/// let server = try HTTPServer(config: config, logger: logger)
/// ```
public struct HTTPServerConfig: Sendable {
    /// Address to listen on: an IPv4 or IPv6 literal, `localhost`, or
    /// `0.0.0.0` / `::` / `""` for every interface.
    public var host: String
    /// TCP port; `0` picks a free ephemeral port (read it back from ``HTTPServer/port``).
    public var port: Int
    /// Largest request body accepted; bigger bodies get `413` and the connection is closed.
    public var maxBodySize: Int = 64 * 1024
    /// Most simultaneous client connections the listener serves.
    public var maxConnections: Int = 4096
    /// Network threads, each with its own libwebsockets context listening on
    /// the same address (`SO_REUSEPORT`: the kernel spreads connections over
    /// them). One is enough for most loads; the number of cores for the most.
    public var serviceThreads: Int = 1
    /// Seconds an idle keep-alive connection is kept open between requests.
    public var keepAliveTimeout: Int = 30
    /// Seconds a client may stall while sending headers or a body.
    public var requestTimeout: Int = 20
    /// Seconds a WebSocket may be idle before libwebsockets pings it; 0 turns pings off.
    public var webSocketPingInterval: Int = 30
    /// Seconds after that ping within which the peer must answer (any frame
    /// counts) before the connection is dropped.
    public var webSocketPingTimeout: Int = 10
    /// Largest request head (request line plus headers) in bytes; at most 65535.
    public var maxHeaderSize: Int = 8192
    /// Certificate and private key (PEM files) to serve HTTPS; `nil` serves plain HTTP.
    public var tls: (certPath: String, keyPath: String)?
    /// Non-standard request headers to copy into ``HTTPRequest/headers``, lowercased.
    ///
    /// libwebsockets parses about 80 well-known headers itself and these always
    /// appear; headers it doesn't know can only be looked up by name, so list
    /// the ones handlers need here.
    public var extraHeaders: [String] = [
        "x-request-id", "x-api-key", "x-forwarded-proto",
        "webhook-id", "webhook-timestamp", "webhook-signature",
    ]
    /// Builds the body of the responses the server writes by itself
    /// (`400`, `404`, `411`, `413`), from the request path, the status and a
    /// short message, so an API mounted under a path can keep its own error
    /// format. The default is `{"error":"<message>"}` with `Content-Type: application/json`.
    public var errorBody: @Sendable (_ path: String, _ status: Int, _ message: String) -> [UInt8] = { _, status, message in
        HTTPServerConfig.jsonErrorBody(status, message)
    }

    /// Creates a configuration with default limits.
    ///
    /// ```swift
    /// let config = HTTPServerConfig(host: "0.0.0.0", port: 0)
    /// ```
    public init(host: String = "127.0.0.1", port: Int = 0) {
        self.host = host
        self.port = port
    }

    /// The default ``errorBody``: `{"error":"<message>"}`.
    ///
    /// ```swift
    /// let body = HTTPServerConfig.jsonErrorBody(404, "not found")  // {"error":"not found"}
    /// ```
    public static func jsonErrorBody(_ status: Int, _ message: String) -> [UInt8] {
        var escaped = ""
        for scalar in message.unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case _ where scalar.value < 0x20: escaped += " "
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return Array("{\"error\":\"\(escaped)\"}".utf8)
    }
}
