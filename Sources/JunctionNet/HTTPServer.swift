import Dispatch
import Foundation
import Logging
import Synchronization

/// The shared HTTP/1.1 listener, on libwebsockets.
///
/// Mount handlers by path, start, and answer through the ``HTTPResponder``
/// each handler receives. Handlers run on a concurrent queue, never on the
/// network thread, and may answer later from any thread.
///
/// ```swift
/// let server = try HTTPServer(config: HTTPServerConfig(host: "127.0.0.1", port: 8080), logger: logger)
/// server.mount("/health") { _, responder in
///     responder.respond(status: 200, headers: [("Content-Type", "text/plain")], body: Array("ok".utf8))
/// }
/// server.mount("/v1", prefix: true) { request, responder in
///     api.handle(request, responder)
/// }
/// try server.start()
/// print("listening on", server.port)
/// // …
/// server.stop()
/// ```
public final class HTTPServer: Sendable {
    private enum Phase { case idle, running, stopped }

    private struct State {
        var phase = Phase.idle
        var port = 0
    }

    private let config: HTTPServerConfig
    private let logger: Logger
    private let router = HTTPRouter()
    private let webSocketRouter = WebSocketRouter()
    /// One per network thread (``HTTPServerConfig/serviceThreads``).
    private let loops: [HTTPServiceLoop]
    private let state = Mutex(State())

    /// Validates `config`; nothing is bound until ``start()``.
    ///
    /// ```swift
    /// let server = try HTTPServer(config: HTTPServerConfig(port: 0), logger: Logger(label: "http"))
    /// ```
    public init(config: HTTPServerConfig, logger: Logger) throws {
        try Self.validate(config)
        self.config = config
        self.logger = logger
        let queue = DispatchQueue(label: "junction.http.handlers", qos: .userInitiated, attributes: .concurrent)
        let router = self.router
        let webSocketRouter = self.webSocketRouter
        self.loops = (0..<config.serviceThreads).map { _ in
            HTTPServiceLoop(config: config, logger: logger, router: router, webSocketRouter: webSocketRouter, handlerQueue: queue)
        }
        LWSLog.install(logger)
    }

    deinit {
        stop()
    }

    /// Routes requests whose path equals `path` (or starts with `path` + "/" when prefix: true) to `handler`, on any thread.
    ///
    /// Exact mounts win over prefix mounts, longer prefixes over shorter
    /// ones; mounting a path again replaces its handler. Mounting `"/"` with
    /// `prefix: true` catches every path. Unmatched paths get `404`.
    ///
    /// ```swift
    /// server.mount("/metrics") { _, r in r.respond(status: 200, body: Array(metrics.text().utf8)) }
    /// server.mount("/static", prefix: true) { request, r in serve(request.path, r) }
    /// ```
    ///
    /// With `inline: true` the handler runs on the network thread itself and
    /// a response it gives before returning is written in the same pass, with
    /// no thread hop: for handlers that take microseconds and never block
    /// (an in-memory lookup). Anything slower belongs on the default queue.
    ///
    /// `maxBody` replaces ``HTTPServerConfig/maxBodySize`` for this route:
    /// bigger bodies get `413` before they are read.
    ///
    /// `headers` limits the request headers the handler gets to those it
    /// reads (see ``HTTPHeaderSelection``).
    public func mount(
        _ path: String, prefix: Bool = false, inline: Bool = false, maxBody: Int? = nil, headers: HTTPHeaderSelection = .all,
        handler: @escaping @Sendable (HTTPRequest, HTTPResponder) -> Void
    ) {
        router.mount(path, prefix: prefix, inline: inline, maxBody: maxBody, headers: headers, handler: handler)
    }

    /// Accepts WebSocket upgrades on `endpoint.path`; its connections and
    /// messages reach the endpoint's handlers. Upgrades on other paths are refused.
    ///
    /// ```swift
    /// let endpoint = WebSocketEndpoint(path: "/ws")
    /// endpoint.setHandlers(onMessages: { batch in for (c, m) in batch { c.send(m) } })
    /// server.mount(webSocket: endpoint)
    /// ```
    public func mount(webSocket endpoint: WebSocketEndpoint) {
        webSocketRouter.mount(endpoint)
    }

    /// Binds the listener and starts serving; throws a clear error if the port is taken.
    ///
    /// ```swift
    /// do { try server.start() } catch let error as HTTPServerError { logger.critical("\(error)") }
    /// ```
    public func start() throws {
        try state.withLock { s throws(HTTPServerError) in
            guard s.phase == .idle else { throw .alreadyStarted }
            s.port = try startLoops()
            s.phase = .running
        }
        logger.info("HTTP server listening", metadata: [
            "host": "\(config.host)", "port": "\(port)", "tls": "\(config.tls != nil)",
        ])
    }

    /// The bound port (useful with port 0); `0` before ``start()``.
    ///
    /// ```swift
    /// let url = "http://127.0.0.1:\(server.port)/health"
    /// ```
    public var port: Int {
        state.withLock { $0.port }
    }

    /// Counters since start.
    ///
    /// ```swift
    /// let inFlight = server.stats.inFlight
    /// ```
    public var stats: HTTPServerStats {
        loops.map(\.counters.snapshot).reduce(HTTPServerStats(requests: 0, rejected: 0, notFound: 0, clientsGone: 0, inFlight: 0)) {
            HTTPServerStats(
                requests: $0.requests + $1.requests, rejected: $0.rejected + $1.rejected,
                notFound: $0.notFound + $1.notFound, clientsGone: $0.clientsGone + $1.clientsGone,
                inFlight: $0.inFlight + $1.inFlight)
        }
    }

    /// Binds one listening socket per loop on one port: the first picks the
    /// port when it is 0, the others join it through `SO_REUSEPORT` and the
    /// kernel spreads connections over them. With more than one loop a plain
    /// bind first checks that nobody else listens there, since a foreign
    /// `SO_REUSEPORT` listener would be joined too.
    private func startLoops() throws(HTTPServerError) -> Int {
        let share = loops.count > 1
        if share, config.port != 0, ListenSocket.isTaken(host: config.host, port: config.port) {
            throw .portInUse(host: config.host, port: config.port)
        }
        let first = try ListenSocket(host: config.host, port: config.port, reusePort: share)
        let port = first.port
        var sockets = [first]
        for _ in loops.dropFirst() {
            sockets.append(try ListenSocket(host: config.host, port: port, reusePort: true))
        }
        for (index, loop) in loops.enumerated() {
            do {
                try loop.start(listener: sockets[index])
            } catch {
                for started in loops[..<index] { started.stopAndJoin() }
                throw error
            }
        }
        return port
    }

    /// Closes the listener and connections, joins the thread, frees the context once.
    /// Unanswered responders see their `onClose`; later calls on them do
    /// nothing. Safe to call more than once, from any thread except inside
    /// `onClose` handlers' own synchronous wait.
    ///
    /// ```swift
    /// server.stop()
    /// ```
    public func stop() {
        let wasRunning = state.withLock { s -> Bool in
            defer { s.phase = .stopped }
            return s.phase == .running
        }
        guard wasRunning else { return }
        for loop in loops { loop.stopAndJoin() }
        logger.info("HTTP server stopped", metadata: ["port": "\(port)"])
    }

    private static func validate(_ config: HTTPServerConfig) throws(HTTPServerError) {
        guard (0...65535).contains(config.port) else { throw .invalidConfig("port \(config.port) is outside 0…65535") }
        guard config.maxBodySize >= 0 else { throw .invalidConfig("maxBodySize must not be negative") }
        guard config.maxConnections >= 1 else { throw .invalidConfig("maxConnections must be at least 1") }
        guard (1...64).contains(config.serviceThreads) else { throw .invalidConfig("serviceThreads must be within 1…64") }
        guard config.keepAliveTimeout >= 1 else { throw .invalidConfig("keepAliveTimeout must be at least 1 second") }
        guard config.webSocketPingInterval == 0 || (1...3600).contains(config.webSocketPingInterval) else {
            throw .invalidConfig("webSocketPingInterval must be 0 (off) or within 1…3600 seconds")
        }
        guard (1...3600).contains(config.webSocketPingTimeout) else {
            throw .invalidConfig("webSocketPingTimeout must be within 1…3600 seconds")
        }
        guard config.requestTimeout >= 1 else { throw .invalidConfig("requestTimeout must be at least 1 second") }
        guard (1024...65535).contains(config.maxHeaderSize) else {
            throw .invalidConfig("maxHeaderSize must be within 1024…65535")
        }
        if let tls = config.tls {
            for (what, path) in [("certificate", tls.certPath), ("private key", tls.keyPath)] {
                guard access(path, R_OK) == 0 else { throw .invalidConfig("TLS \(what) \(path) is not readable") }
            }
        }
    }
}
