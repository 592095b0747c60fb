import Foundation
import Junction
import Logging
import Synchronization

/// The `listen:` section: where the one HTTP/WebSocket listener of the process binds.
///
/// ```yaml
/// listen: 127.0.0.1:8080
/// # or
/// listen: { address: 0.0.0.0:8443, tls: { cert: cert.pem, key: key.pem }, max_body: 64KiB, threads: 2 }
/// ```
public struct ListenConfig: Decodable, Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    public var tls: TLSFiles?
    public var maxBody = ByteSize(64 << 10)
    public var maxConnections = 4096
    /// Network threads sharing the port; default: one per core, at most 8.
    public var threads = min(8, max(1, ProcessInfo.processInfo.activeProcessorCount))
    /// Idle time before the server pings a WebSocket client; 0 turns pings off.
    /// A client that does not answer within 10 s more is dropped.
    public var webSocketPingInterval = Seconds(30)

    /// Certificate and key files (PEM).
    public struct TLSFiles: Decodable, Sendable {
        public var cert: String
        public var key: String
    }

    public init() {}

    private enum Keys: String, CodingKey { case address, tls, maxBody = "max_body", maxConnections = "max_connections", threads
        case webSocketPingInterval = "websocket_ping_interval"
    }

    public init(from decoder: any Decoder) throws {
        if let address = try? decoder.singleValueContainer().decode(String.self) {
            try self.init(address: address, at: decoder.configLocation)
            return
        }
        let c = try decoder.container(keyedBy: Keys.self)
        try self.init(address: c.decode(String.self, forKey: .address), at: decoder.configLocation)
        tls = try c.decodeIfPresent(TLSFiles.self, forKey: .tls)
        maxBody = try c.decodeIfPresent(ByteSize.self, forKey: .maxBody) ?? maxBody
        maxConnections = try c.decodeIfPresent(Int.self, forKey: .maxConnections) ?? maxConnections
        threads = try c.decodeIfPresent(Int.self, forKey: .threads) ?? threads
        webSocketPingInterval = try c.decodeIfPresent(Seconds.self, forKey: .webSocketPingInterval) ?? webSocketPingInterval
        guard (0...3600).contains(webSocketPingInterval.value) else {
            throw ConfigDiagnostic("listen websocket_ping_interval must be within 0…1h", at: decoder.configLocation)
        }
        guard (1...64).contains(threads) else {
            throw ConfigDiagnostic("listen threads must be within 1…64", at: decoder.configLocation)
        }
    }

    /// Parses `HOST:PORT` (`[::1]:8080` for IPv6).
    public init(address: String, at location: ConfigLocation? = nil) throws {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]), (0...65535).contains(port) else {
            throw ConfigDiagnostic("invalid listen address '\(address)'", at: location, hint: "use HOST:PORT, e.g. 127.0.0.1:8080")
        }
        var host = String(address[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.host = host.isEmpty ? "0.0.0.0" : host
        self.port = port
    }
}

/// The process's shared HTTP listener: plugins mount handlers on it while the
/// config loads; it binds when the pipeline starts and closes at shutdown.
/// `GET /health` and `GET /metrics` (Prometheus text) are always mounted;
/// `/health` answers `503 {"status":"starting"}` until every source has
/// started (the listener binds before them), then `200 {"status":"ok"}`.
///
/// ```swift
/// let listener = context.services.shared(HTTPListener.self) { HTTPListener() }
/// listener.mount("/v1/item/set") { request, responder in responder.respond(status: 200, body: []) }
/// ```
public final class HTTPListener: LifecycleService, @unchecked Sendable {
    private let lock = NSLock()
    private var config = ListenConfig()
    private var mounts: [(path: String, prefix: Bool, inline: Bool, maxBody: Int?, headers: HTTPHeaderSelection, handler: HTTPHandler)] = []
    private var webSocketEndpoints: [WebSocketEndpoint] = []
    private var errorFormats: [(prefix: String, format: @Sendable (Int, String) -> [UInt8])] = []
    private var extraHeaders: [String] = []
    private var server: HTTPServer?
    private let logger = Logger(label: "junction.http")
    private let services: ServiceRegistry?
    /// Set once the pipeline's sources have started (see `/health`).
    private let ready = Atomic(false)

    public init(services: ServiceRegistry? = nil) {
        self.services = services
        mount("/health", inline: true) { [weak self] _, responder in
            let json = [("Content-Type", "application/json")]
            if self?.ready.load(ordering: .acquiring) == true {
                responder.respond(status: 200, headers: json, body: Array(#"{"status":"ok"}"#.utf8))
            } else {
                responder.respond(status: 503, headers: json, body: Array(#"{"status":"starting"}"#.utf8))
            }
        }
        mount("/metrics") { [weak self] _, responder in
            let text = self?.services?.existing(MetricsStore.self)?.prometheusText() ?? ""
            responder.respond(status: 200, headers: [("Content-Type", "text/plain; version=0.0.4")], body: Array(text.utf8))
        }
    }

    /// Sets where to bind (the `listen:` section).
    public func configure(_ config: ListenConfig) { lock.withLock { self.config = config } }

    /// Routes `path` (and, with `prefix`, everything below it) to `handler`;
    /// `inline`, `maxBody` and `headers` as in ``HTTPServer/mount(_:prefix:inline:maxBody:headers:handler:)``.
    public func mount(
        _ path: String, prefix: Bool = false, inline: Bool = false, maxBody: Int? = nil, headers: HTTPHeaderSelection = .all,
        handler: @escaping HTTPHandler
    ) {
        lock.withLock { mounts.append((path, prefix, inline, maxBody, headers, handler)) }
    }

    /// Accepts WebSocket upgrades on `endpoint.path` (see ``HTTPServer/mount(webSocket:)``);
    /// call before the listener starts.
    ///
    /// ```swift
    /// listener.mount(webSocket: WebSocketEndpoint(path: "/ws"))
    /// ```
    public func mount(webSocket endpoint: WebSocketEndpoint) {
        lock.withLock { webSocketEndpoints.append(endpoint) }
    }

    /// Asks the server to keep these non-standard request headers in
    /// ``HTTPRequest/headers`` too (libwebsockets finds headers it does not
    /// know only by name); call before the listener starts.
    ///
    /// ```swift
    /// listener.captureHeaders(["x-github-event", "x-hub-signature-256"])
    /// ```
    public func captureHeaders(_ names: [String]) {
        lock.withLock {
            for name in names.map({ $0.lowercased() }) where !extraHeaders.contains(name) { extraHeaders.append(name) }
        }
    }

    /// Gives the errors the server answers by itself (oversized or malformed
    /// requests) under `prefix` the body format of the API mounted there.
    ///
    /// ```swift
    /// listener.errorFormat(prefix: "/v1") { status, message in XRTCError.http(status, message).body }
    /// ```
    public func errorFormat(prefix: String, _ format: @escaping @Sendable (_ status: Int, _ message: String) -> [UInt8]) {
        lock.withLock {
            errorFormats.append((prefix, format))
            errorFormats.sort { $0.prefix.count > $1.prefix.count }
        }
    }

    /// The bound port, once started.
    public var port: Int { lock.withLock { server?.port ?? config.port } }

    public func start() throws {
        let (config, mounts, formats, extra, endpoints) = lock.withLock {
            (self.config, self.mounts, self.errorFormats, self.extraHeaders, self.webSocketEndpoints)
        }
        var serverConfig = HTTPServerConfig(host: config.host, port: config.port)
        for name in extra where !serverConfig.extraHeaders.contains(name) { serverConfig.extraHeaders.append(name) }
        serverConfig.maxBodySize = config.maxBody.bytes
        serverConfig.maxConnections = config.maxConnections
        serverConfig.serviceThreads = config.threads
        serverConfig.webSocketPingInterval = Int(config.webSocketPingInterval.value.rounded(.up))
        serverConfig.tls = config.tls.map { ($0.cert, $0.key) }
        serverConfig.errorBody = { path, status, message in
            for entry in formats where path == entry.prefix || path.hasPrefix(entry.prefix + "/") {
                return entry.format(status, message)
            }
            return HTTPServerConfig.jsonErrorBody(status, message)
        }
        let server = try HTTPServer(config: serverConfig, logger: logger)
        for m in mounts { server.mount(m.path, prefix: m.prefix, inline: m.inline, maxBody: m.maxBody, headers: m.headers, handler: m.handler) }
        for endpoint in endpoints { server.mount(webSocket: endpoint) }
        try server.start()
        lock.withLock { self.server = server }
        logger.info("listening", metadata: ["address": "\(config.host):\(server.port)", "tls": "\(config.tls != nil)"])
    }

    public func pipelineStarted() { ready.store(true, ordering: .releasing) }

    public func stop() {
        ready.store(false, ordering: .releasing)
        let server: HTTPServer? = lock.withLock {
            defer { self.server = nil }
            return self.server
        }
        server?.stop()
    }
}

/// Registers the `listen:` section.
public enum JunctionNetPlugin {
    public static func register(into registry: inout PluginRegistry) {
        let defaults = ListenConfig()
        let fields = [
            PluginRegistry.FieldDoc(key: "address", type: "HOST:PORT", defaultValue: "\(defaults.host):\(defaults.port)", doc: "Where to listen; the whole section may be just this string."),
            PluginRegistry.FieldDoc(key: "tls", type: "{cert, key}", defaultValue: "none", doc: "PEM certificate and private key files: serve HTTPS."),
            PluginRegistry.FieldDoc(key: "max_body", type: "size", defaultValue: defaults.maxBody.configDescription, doc: "Largest request body (413 above it)."),
            PluginRegistry.FieldDoc(key: "max_connections", type: "int", defaultValue: "\(defaults.maxConnections)", doc: "Open connections per network thread."),
            PluginRegistry.FieldDoc(key: "threads", type: "int", defaultValue: "one per core, at most 8", doc: "Network threads sharing the port."),
            PluginRegistry.FieldDoc(key: "websocket_ping_interval", type: "duration", defaultValue: "30s", doc: "Idle time before WebSocket clients are pinged (0: off); no answer within 10 s more drops them."),
        ]
        registry.registerSection("listen", config: ListenConfig.self, doc: "The shared HTTP/WebSocket listener.", fields: fields) { config, services in
            services.shared(HTTPListener.self) { HTTPListener(services: services) }.configure(config)
        }
    }
}
