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
    private let loop: HTTPServiceLoop
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
        self.loop = HTTPServiceLoop(config: config, logger: logger, router: router, handlerQueue: queue)
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
    public func mount(
        _ path: String, prefix: Bool = false, inline: Bool = false,
        handler: @escaping @Sendable (HTTPRequest, HTTPResponder) -> Void
    ) {
        router.mount(path, prefix: prefix, inline: inline, handler: handler)
    }

    /// Binds the listener and starts serving; throws a clear error if the port is taken.
    ///
    /// ```swift
    /// do { try server.start() } catch let error as HTTPServerError { logger.critical("\(error)") }
    /// ```
    public func start() throws {
        try state.withLock { s throws(HTTPServerError) in
            guard s.phase == .idle else { throw .alreadyStarted }
            let port = try loop.start()
            s.port = port
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
        loop.counters.snapshot
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
        loop.stopAndJoin()
        logger.info("HTTP server stopped", metadata: ["port": "\(port)"])
    }

    private static func validate(_ config: HTTPServerConfig) throws(HTTPServerError) {
        guard (0...65535).contains(config.port) else { throw .invalidConfig("port \(config.port) is outside 0…65535") }
        guard config.maxBodySize >= 0 else { throw .invalidConfig("maxBodySize must not be negative") }
        guard config.maxConnections >= 1 else { throw .invalidConfig("maxConnections must be at least 1") }
        guard config.keepAliveTimeout >= 1 else { throw .invalidConfig("keepAliveTimeout must be at least 1 second") }
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
