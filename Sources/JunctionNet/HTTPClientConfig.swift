/// Settings shared by every request of one ``HTTPClient``.
///
/// ```swift
/// var config = HTTPClientConfig()
/// config.requestTimeout = 0        // streams: no limit on the whole transfer
/// config.maxConnectionsPerHost = 4
/// let client = try HTTPClient(config: config, logger: logger)
/// ```
public struct HTTPClientConfig: Sendable {
    /// Seconds to wait for the TCP (and TLS) connection; `0` means curl's
    /// built-in limit (300 s).
    public var connectTimeout: Double = 5
    /// Seconds the whole transfer may take, connect included; `0` means no limit.
    /// ``HTTPClientRequest/timeout`` overrides it per request.
    public var requestTimeout: Double = 30
    /// Most connections open at once to one host. All clients share one curl
    /// multi handle and its connection cache, so the limit in force is the
    /// largest one among the live clients; transfers beyond it wait for a
    /// free connection.
    public var maxConnectionsPerHost: Int = 8
    /// The `User-Agent` header sent unless a request sets its own.
    public var userAgent: String = "junction"
    /// Whether HTTPS peers must present a certificate valid for their host name.
    public var verifyTLS: Bool = true
    /// Whether the client keeps a cookie jar: cookies the server sets go back
    /// on later requests. Off saves the cookie engine's work on every request
    /// (a webhook sender has no session to keep).
    public var cookies: Bool = true

    /// The defaults above.
    ///
    /// ```swift
    /// let config = HTTPClientConfig()
    /// ```
    public init() {}
}
