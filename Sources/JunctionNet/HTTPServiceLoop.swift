import CWebSockets
import Dispatch
import Foundation
import Logging
import Synchronization

/// The libwebsockets service thread of one ``HTTPServer`` and everything only
/// that thread touches.
///
/// Threading: a dedicated `Thread` creates the context, runs `lws_service` in
/// a loop and destroys the context; every lws call happens there. Requests go
/// out to `handlerQueue` in one batch per service iteration; responders come
/// back through ``HTTPInbox``, drained on `LWS_CALLBACK_EVENT_WAIT_CANCELLED`.
/// Per-request state is ``HTTPConnection`` in `connections`, keyed by the
/// integer id stored in lws' per-session data.
///
/// While a handler works and nothing is queued to write, the connection's rx
/// is paused (`lws_rx_flow_control`): lws 4.1 keeps a request "in
/// transaction" and would otherwise busy-poll on any byte or FIN the client
/// sends. A paused h1 connection gets no `HTTP_WRITEABLE` either, so rx is
/// resumed as soon as output is queued and paused again when it is written.
/// Paused sockets are peeked every ``sweepInterval`` so a client that left
/// is noticed and its responder's `onClose` fires. Pipelined requests wait
/// in lws' buffer until the response before them is written.
///
/// `@unchecked Sendable`: the instance is handed to the service thread once;
/// the mutable properties below are confined to that thread, and the shared
/// ones (`inbox`, `router`, `counters`, `startResult`) are themselves Sendable.
final class HTTPServiceLoop: @unchecked Sendable {
    let config: HTTPServerConfig
    let logger: Logger
    let inbox: HTTPInbox
    let router: HTTPRouter
    let webSocketRouter: WebSocketRouter
    let handlerQueue: DispatchQueue
    let counters: HTTPServerCounters

    /// How often paused connections are checked for a client that left.
    static let sweepInterval: lws_usec_t = 500_000
    /// Handlers per dispatched block.
    static let batchLimit = 64

    // Service-thread state.
    var connections: [UInt64: HTTPConnection] = [:]
    /// Established WebSockets, keyed by their connection id (top bit set).
    var webSockets: [UInt64: WebSocketSession] = [:]
    /// Whole WebSocket messages of this service iteration, in runs of one
    /// endpoint each; a run is handed to its endpoint as it is (no copy).
    var webSocketRuns: [(endpoint: WebSocketEndpoint, messages: [(WebSocketConnection, WebSocketMessage)])] = []
    var nextID: UInt64 = 0
    /// This thread's copy of the router's table.
    var routeCache = HTTPRouter.Cache()
    var drainBuffer: [HTTPCommand] = []
    var dispatchBatch: [(HTTPHandler, HTTPRequest, HTTPResponder)] = []
    let writeBuffer = LWSWriteBuffer()
    let headerReader: LWSHeaderReader
    private var sweeper: UnsafeMutablePointer<junction_sul>?
    private var contextPointer: OpaquePointer?
    /// Handed to the service thread by ``start(listener:)``.
    private var listener: ListenSocket?
    private var listenFD: Int32 = -1
    private var port = 0
    /// The context, for adopting accepted connections (service thread).
    private var lwsContext: LWSContext?
    /// Connections accepted per wake-up, so one busy listener can't starve the others.
    static let acceptBatch = 64

    /// Filled once by the service thread: the bound port, or why it couldn't start.
    private let startResult = Mutex<Result<Void, HTTPServerError>?>(nil)
    private let started = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    init(config: HTTPServerConfig, logger: Logger, router: HTTPRouter, webSocketRouter: WebSocketRouter, handlerQueue: DispatchQueue) {
        self.config = config
        self.logger = logger
        self.router = router
        self.webSocketRouter = webSocketRouter
        self.handlerQueue = handlerQueue
        self.inbox = HTTPInbox()
        self.counters = HTTPServerCounters()
        self.headerReader = LWSHeaderReader(maxHeaderSize: config.maxHeaderSize, extraHeaders: config.extraHeaders)
        drainBuffer.reserveCapacity(256)
        dispatchBatch.reserveCapacity(Self.batchLimit)
    }

    /// Starts the service thread, which takes `listener` over, and waits
    /// until it serves.
    func start(listener: ListenSocket) throws(HTTPServerError) {
        self.listener = listener
        listenFD = listener.fd
        port = listener.port
        let thread = Thread { [self] in
            ThreadName.set("junction-http")
            run()
        }
        thread.stackSize = 1 << 20
        thread.start()
        started.wait()
        let result = startResult.withLock { $0 } ?? .failure(.startFailed("service thread ended early"))
        try result.get()
    }

    /// Ends the loop (which destroys the context) and waits for the thread.
    func stopAndJoin() {
        inbox.requestStop()
        finished.wait()
    }

    // MARK: - Service thread

    private func run() {
        let user = Unmanaged.passRetained(self)
        defer {
            user.release()
            finished.signal()
        }
        let context: LWSContext
        do {
            context = try LWSContext(
                config: config, callback: lwsHTTPCallback,
                perSessionDataSize: MemoryLayout<UInt64>.size, user: user.toOpaque())
            if let listener { try context.adoptListener(listener) }
            listener = nil
        } catch {
            listener = nil
            startResult.withLock { $0 = .failure(error) }
            started.signal()
            return
        }
        guard let pointer = context.pointer else {
            startResult.withLock { $0 = .failure(.startFailed("no context")) }
            started.signal()
            return
        }
        contextPointer = pointer
        lwsContext = context
        inbox.attach(context: pointer)
        scheduleSweep(pointer, user: user.toOpaque())
        startResult.withLock { $0 = .success(()) }
        started.signal()

        while !inbox.stopRequested {
            if lws_service(pointer, 0) < 0 {
                logger.error("libwebsockets service loop failed; HTTP listener stopped", metadata: ["port": "\(port)"])
                break
            }
            flushDispatch()
        }

        inbox.detach()
        cancelSweep(pointer)
        // Closes the listener and every connection; their close callbacks
        // run now and tell unanswered responders that the client is gone.
        context.destroy()
        contextPointer = nil
        lwsContext = nil
        connections.removeAll()
        webSockets.removeAll()
        flushDispatch()
        if let sweeper {
            sweeper.deallocate()
            self.sweeper = nil
        }
    }

    /// Sends the requests collected during one service iteration to the handler queue.
    func flushDispatch() {
        flushWebSocketMessages()
        guard !dispatchBatch.isEmpty else { return }
        var start = 0
        while start < dispatchBatch.count {
            let slice = Array(dispatchBatch[start..<min(start + Self.batchLimit, dispatchBatch.count)])
            start += Self.batchLimit
            handlerQueue.async {
                for (handler, request, responder) in slice { handler(request, responder) }
            }
        }
        dispatchBatch.removeAll(keepingCapacity: true)
    }

    /// Entry point from the C callback.
    func handle(
        wsi: OpaquePointer, reason: lws_callback_reasons,
        pss: UnsafeMutableRawPointer?, input: UnsafeMutableRawPointer?, len: Int
    ) -> Int32 {
        switch reason {
        case LWS_CALLBACK_HTTP:
            return onRequestHead(wsi: wsi, pss: pss, uri: input, uriLength: len)
        case LWS_CALLBACK_HTTP_BODY:
            return onBody(pss: pss, bytes: input, count: len)
        case LWS_CALLBACK_HTTP_BODY_COMPLETION:
            return onBodyComplete(pss: pss)
        case LWS_CALLBACK_HTTP_WRITEABLE:
            return onWriteable(wsi: wsi, pss: pss)
        case LWS_CALLBACK_CLOSED_HTTP, LWS_CALLBACK_HTTP_DROP_PROTOCOL, LWS_CALLBACK_WSI_DESTROY, LWS_CALLBACK_CLOSED:
            onConnectionGone(pss: pss)
            return 0
        case LWS_CALLBACK_ESTABLISHED:
            return onWebSocketEstablished(wsi: wsi, pss: pss)
        case LWS_CALLBACK_RECEIVE:
            return onWebSocketReceive(pss: pss, input: input, len: len)
        case LWS_CALLBACK_SERVER_WRITEABLE:
            return onWebSocketWriteable(pss: pss)
        case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
            webSocket(pss)?.peerClosed(input, len)
            return 0
        case LWS_CALLBACK_RAW_RX_FILE:
            acceptConnections()
            return 0
        case LWS_CALLBACK_RAW_CLOSE_FILE:
            return 0
        case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
            drainInbox()
            return 0
        case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
            return onConfirmUpgrade(wsi: wsi, input: input)
        default:
            return 0
        }
    }

    /// The listening socket is readable: accept what is pending (a batch at
    /// a time) and hand each connection to lws.
    private func acceptConnections() {
        guard let context = lwsContext, listenFD >= 0 else { return }
        for _ in 0..<Self.acceptBatch {
            guard let fd = ListenSocket.accept(from: listenFD) else { return }
            if !context.adoptConnection(fd) {
                HTTPServerCounters.bump(counters.rejected)
                logger.warning("could not take a connection (connection limit reached, or its TLS start failed)", metadata: ["port": "\(port)"])
            }
        }
    }

    // MARK: - Paused connections

    /// Stops lws reading (and polling) this socket while its handler works.
    func pauseRx(_ conn: HTTPConnection) {
        guard !conn.rxPaused else { return }
        conn.rxPaused = true
        lws_rx_flow_control(conn.wsi, 0)
    }

    /// Lets lws service the socket again, which it needs to call WRITEABLE.
    func resumeRx(_ conn: HTTPConnection) {
        guard conn.rxPaused else { return }
        conn.rxPaused = false
        lws_rx_flow_control(conn.wsi, 1)
    }

    private func scheduleSweep(_ context: OpaquePointer, user: UnsafeMutableRawPointer) {
        let s = UnsafeMutablePointer<junction_sul>.allocate(capacity: 1)
        s.initialize(to: junction_sul())
        s.pointee.user = user
        sweeper = s
        lws_sul_schedule(context, 0, junction_sul_base(s), lwsSweepCallback, Self.sweepInterval)
    }

    private func cancelSweep(_ context: OpaquePointer) {
        guard let s = sweeper else { return }
        lws_sul_schedule(context, 0, junction_sul_base(s), lwsSweepCallback, lws_usec_t(LWS_SET_TIMER_USEC_CANCEL))
    }

    /// A paused socket hides the client's FIN from lws: peek at each one and
    /// close those whose client left, so their responders' `onClose` fires.
    func sweep(_ sul: UnsafeMutablePointer<lws_sorted_usec_list_t>) {
        var gone: [OpaquePointer] = []
        for conn in connections.values where conn.rxPaused {
            let fd = lws_get_socket_fd(conn.wsi)
            if fd >= 0 && junction_peer_gone(fd) != 0 { gone.append(conn.wsi) }
        }
        for session in webSockets.values where session.rxPaused {
            let fd = lws_get_socket_fd(session.wsi)
            if fd >= 0 && junction_peer_gone(fd) != 0 {
                gone.append(session.wsi)
            } else {
                // A paused socket can't read the peer's pong: while the peer is
                // there, the pause must not look like a dead connection.
                lws_validity_confirmed(session.wsi)
            }
        }
        for wsi in gone {
            lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC)
        }
        if let context = contextPointer, !inbox.stopRequested {
            lws_sul_schedule(context, 0, sul, lwsSweepCallback, Self.sweepInterval)
        }
    }
}

/// The protocol callback lws calls for every HTTP event; hops to the loop
/// registered as the context's user pointer.
private func lwsHTTPCallback(
    _ wsi: OpaquePointer?, _ reason: lws_callback_reasons,
    _ user: UnsafeMutableRawPointer?, _ input: UnsafeMutableRawPointer?, _ len: Int
) -> Int32 {
    guard let wsi, let context = lws_get_context(wsi), let loop = lws_context_user(context) else { return 0 }
    // The context holds a +1 on the loop for as long as it lives, so the
    // callback borrows it without a retain and release of its own.
    return Unmanaged<HTTPServiceLoop>.fromOpaque(loop)._withUnsafeGuaranteedRef {
        $0.handle(wsi: wsi, reason: reason, pss: user, input: input, len: len)
    }
}

/// The sweep timer; `junction_sul.user` holds the loop.
private func lwsSweepCallback(_ sul: UnsafeMutablePointer<lws_sorted_usec_list_t>?) {
    guard let sul, let loop = junction_sul_user(sul) else { return }
    Unmanaged<HTTPServiceLoop>.fromOpaque(loop)._withUnsafeGuaranteedRef { $0.sweep(sul) }
}
