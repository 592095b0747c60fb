import Junction
import JunctionNet
import Logging
import Synchronization

/// The process's WebSocket transports, shared by the sources and sinks that
/// name the same path or URL (so a reply route answers on the connection a
/// message came from). Endpoints are mounted on the shared listener when
/// first named; clients start with the pipeline and stop with it.
final class WebSocketHub: LifecycleService, Sendable {
    private struct State {
        var endpoints: [String: WebSocketEndpoint] = [:]
        var clients: [String: WebSocketClient] = [:]
        /// Path or client key → the source reading it (one per transport).
        var readers: [String: String] = [:]
        var started = false
    }

    private let state = Mutex(State())

    /// The hub of `services`, created (with the listener) on first use.
    static func shared(_ services: ServiceRegistry) -> WebSocketHub {
        // The registry's lock is not reentrant: the listener is fetched first.
        _ = services.shared(HTTPListener.self) { HTTPListener(services: services) }
        return services.shared(WebSocketHub.self) { WebSocketHub() }
    }

    /// The endpoint for `config.path`, mounted on the listener the first time;
    /// a reader (the source) sets its size limit.
    func endpoint(_ config: WebSocketConfig, reader: Bool, services: ServiceRegistry) -> WebSocketEndpoint {
        let listener = services.shared(HTTPListener.self) { HTTPListener(services: services) }
        let path = config.path ?? "/"
        let (endpoint, created) = state.withLock { s -> (WebSocketEndpoint, Bool) in
            if let existing = s.endpoints[Self.normalise(path)] {
                if reader { existing.maxMessageSize = config.maxMessageSize.bytes }
                return (existing, false)
            }
            let endpoint = WebSocketEndpoint(path: path, maxMessageSize: config.maxMessageSize.bytes)
            s.endpoints[endpoint.path] = endpoint
            return (endpoint, true)
        }
        if created { listener.mount(webSocket: endpoint) }
        return endpoint
    }

    /// The client for `config.url` and its headers, made the first time.
    func client(_ config: WebSocketConfig, logger: Logger) throws -> WebSocketClient {
        let key = Self.clientKey(config)
        return try state.withLock { s throws -> WebSocketClient in
            if let existing = s.clients[key] { return existing }
            var c = WebSocketClientConfig(url: config.url ?? "")
            c.headers = config.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            c.maxMessageSize = config.maxMessageSize.bytes
            c.pingInterval = Int(config.pingInterval.value.rounded(.up))
            c.reconnectDelay = config.reconnectDelay.value
            c.maxReconnectDelay = config.maxReconnectDelay.value
            c.allowSelfSigned = config.insecure
            let client: WebSocketClient
            do {
                client = try WebSocketClient(config: c, logger: logger)
            } catch {
                throw ConfigDiagnostic.field("url", "\(error)")
            }
            s.clients[key] = client
            if s.started { try? client.start() }
            return client
        }
    }

    /// Records `source` as the reader of `config`'s transport; a second one is a config error.
    func claimReader(_ config: WebSocketConfig, source: String) throws {
        let key = config.url.map { _ in Self.clientKey(config) } ?? Self.normalise(config.path ?? "/")
        try state.withLock { s throws in
            if let other = s.readers[key], other != source {
                throw ConfigDiagnostic("websocket source '\(source)' reads the same \(config.isClient ? "url" : "path") as '\(other)'",
                                       hint: "one source per path or url; fan its route out instead")
            }
            s.readers[key] = source
        }
    }

    func start() throws {
        let clients = state.withLock { s in
            s.started = true
            return Array(s.clients.values)
        }
        for client in clients { try client.start() }
    }

    func stop() {
        let (clients, endpoints) = state.withLock { s in
            s.started = false
            return (Array(s.clients.values), Array(s.endpoints.values))
        }
        for client in clients { client.stop() }
        for endpoint in endpoints {
            for connection in endpoint.connections { connection.close(code: 1001, reason: "junction stopping") }
        }
    }

    private static func clientKey(_ config: WebSocketConfig) -> String {
        ([config.url ?? ""] + config.headers.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }).joined(separator: "\n")
    }

    private static func normalise(_ path: String) -> String {
        var p = path.hasPrefix("/") ? path : "/" + path
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        return p
    }
}
