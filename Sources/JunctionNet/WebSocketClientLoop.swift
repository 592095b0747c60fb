import CWebSockets
import Dispatch
import Foundation
import Logging
import Synchronization

/// The service thread of one ``WebSocketClient``: its own lws context, the
/// current connection attempt, and the reconnect timer.
///
/// Threading as in ``HTTPServiceLoop``: a dedicated `Thread` creates the
/// context, services it and destroys it; every lws call happens there; the
/// connection's wishes (send, pause, close) arrive through ``HTTPInbox`` and
/// are applied on `LWS_CALLBACK_EVENT_WAIT_CANCELLED`. Messages go out to
/// `queue` in one batch per service iteration.
///
/// `@unchecked Sendable`: handed to the service thread once; the mutable
/// properties are confined to that thread, the shared ones are Sendable.
final class WebSocketClientLoop: @unchecked Sendable {
    struct Handlers {
        var onOpen: WebSocketClient.OpenHandler?
        var onMessages: WebSocketClient.MessagesHandler?
        var onClose: WebSocketClient.CloseHandler?
    }

    final class Counters: Sendable {
        let connects = Atomic<Int>(0)
        let failures = Atomic<Int>(0)
        let oversized = Atomic<Int>(0)
    }

    let config: WebSocketClientConfig
    let target: WebSocketURL
    let inbox: HTTPInbox
    let connection: WebSocketConnection
    let logger: Logger
    let handlers = Mutex(Handlers())
    let counters = Counters()
    private let queue: DispatchQueue

    // Service-thread state.
    private var context: OpaquePointer?
    private var wsi: OpaquePointer?
    private var session: WebSocketSession?
    private var attempt = 0
    private var reconnectPending = false
    private var received: [WebSocketMessage] = []
    private var drainBuffer: [HTTPCommand] = []
    private let writeBuffer = LWSWriteBuffer()
    private var headerWriter = LWSHeaderWriter()

    // C memory that lives as long as the loop.
    private let protocols: UnsafeMutablePointer<lws_protocols>
    private let retryPolicy: UnsafeMutablePointer<lws_retry_bo_t>
    private let timer: UnsafeMutablePointer<junction_sul>
    /// Checks a paused connection every ``sweepInterval`` (see ``sweep()``).
    private let sweeper: UnsafeMutablePointer<junction_sul>
    static let sweepInterval: lws_usec_t = 500_000
    /// The connect strings (protocol name, address, path, Host), made once.
    private let cProtocol: UnsafeMutablePointer<CChar>
    private let cAddress: UnsafeMutablePointer<CChar>
    private let cPath: UnsafeMutablePointer<CChar>
    private let cHost: UnsafeMutablePointer<CChar>

    private let startResult = Mutex<Result<Void, WebSocketClientError>?>(nil)
    private let started = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    static let protocolName = "junction-ws-client"

    init(config: WebSocketClientConfig, target: WebSocketURL, inbox: HTTPInbox, connection: WebSocketConnection, logger: Logger) {
        self.config = config
        self.target = target
        self.inbox = inbox
        self.connection = connection
        var logger = logger
        logger[metadataKey: "url"] = "\(config.url)"
        self.logger = logger
        queue = DispatchQueue(label: "junction.websocket.client")
        protocols = .allocate(capacity: 2)
        protocols.initialize(repeating: lws_protocols(), count: 2)
        retryPolicy = .allocate(capacity: 1)
        retryPolicy.initialize(to: lws_retry_bo_t())
        cProtocol = Self.copy(Self.protocolName)
        cAddress = Self.copy(target.host)
        cPath = Self.copy(target.path)
        cHost = Self.copy(target.hostHeader)
        timer = .allocate(capacity: 1)
        timer.initialize(to: junction_sul())
        sweeper = .allocate(capacity: 1)
        sweeper.initialize(to: junction_sul())
    }

    deinit {
        for s in [cProtocol, cAddress, cPath, cHost] { free(s) }
        protocols.deinitialize(count: 2)
        protocols.deallocate()
        retryPolicy.deallocate()
        timer.deallocate()
        sweeper.deallocate()
    }

    func start() throws(WebSocketClientError) {
        let thread = Thread { [self] in
            ThreadName.set("junction-wsc")
            run()
        }
        thread.stackSize = 1 << 20
        thread.start()
        started.wait()
        let result = startResult.withLock { $0 } ?? .failure(.startFailed("service thread ended early"))
        try result.get()
    }

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
        protocols[0].name = UnsafePointer(cProtocol)
        protocols[0].callback = lwsClientCallback
        protocols[0].per_session_data_size = 0
        if config.pingInterval > 0 {
            junction_retry_policy(retryPolicy, UInt16(config.pingInterval), UInt16(config.pingInterval + config.pingTimeout))
        }
        var info = lws_context_creation_info()
        info.port = CONTEXT_PORT_NO_LISTEN
        info.protocols = UnsafePointer(protocols)
        info.user = user.toOpaque()
        info.gid = -1
        info.uid = -1
        info.count_threads = 1
        if target.tls { info.options = junction_lws_option_ssl_global_init() }
        guard let context = lws_create_context(&info) else {
            startResult.withLock { $0 = .failure(.startFailed("libwebsockets could not create a client context")) }
            started.signal()
            return
        }
        self.context = context
        timer.pointee.user = user.toOpaque()
        sweeper.pointee.user = user.toOpaque()
        lws_sul_schedule(context, 0, junction_sul_base(sweeper), lwsClientSweep, Self.sweepInterval)
        inbox.attach(context: context)
        startResult.withLock { $0 = .success(()) }
        started.signal()

        connect()
        while !inbox.stopRequested {
            if lws_service(context, 0) < 0 {
                logger.error("libwebsockets client service loop failed; client stopped")
                break
            }
            flushReceived()
        }
        inbox.detach()
        lws_sul_schedule(context, 0, junction_sul_base(timer), lwsClientTimer, lws_usec_t(LWS_SET_TIMER_USEC_CANCEL))
        lws_sul_schedule(context, 0, junction_sul_base(sweeper), lwsClientSweep, lws_usec_t(LWS_SET_TIMER_USEC_CANCEL))
        if let wsi, session != nil {
            _ = session?.closeNow(code: WebSocketCloseCode.goingAway, reason: "client stopped")
            lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_SYNC)
        }
        lws_context_destroy(context)
        self.context = nil
        session = nil
        wsi = nil
        flushReceived()
    }

    /// Starts one connection attempt; a failure schedules the next.
    fileprivate func connect() {
        reconnectPending = false
        guard let context, !inbox.stopRequested else { return }
        var info = lws_client_connect_info()
        info.context = context
        info.address = UnsafePointer(cAddress)
        info.port = Int32(target.port)
        info.path = UnsafePointer(cPath)
        info.host = UnsafePointer(cHost)
        info.origin = info.host
        info.local_protocol_name = UnsafePointer(cProtocol)
        if target.tls {
            var flags = junction_lccscf_use_ssl()
            if config.allowSelfSigned {
                flags |= Int32(LCCSCF_ALLOW_SELFSIGNED.rawValue | LCCSCF_SKIP_SERVER_CERT_HOSTNAME_CHECK.rawValue | LCCSCF_ALLOW_EXPIRED.rawValue)
            }
            info.ssl_connection = flags
        }
        if config.pingInterval > 0 { info.retry_and_idle_policy = UnsafePointer(retryPolicy) }
        wsi = nil
        let made = lws_client_connect_via_info(&info)
        if made == nil {
            // lws may already have reported CONNECTION_ERROR (and scheduled); idempotent.
            failed("could not start the connection")
        } else {
            wsi = made
        }
    }

    /// A failed attempt or a dropped connection: try again after a backoff.
    private func failed(_ why: String) {
        guard !inbox.stopRequested, !reconnectPending, let context else { return }
        reconnectPending = true
        let base = min(config.maxReconnectDelay, config.reconnectDelay * pow(2, Double(min(attempt, 30))))
        let spread = base * config.jitter
        let delay = max(0.001, base + Double.random(in: -spread...spread))
        attempt += 1
        logger.debug("reconnecting", metadata: ["in": "\(String(format: "%.3f", delay))s", "why": "\(why)"])
        lws_sul_schedule(context, 0, junction_sul_base(timer), lwsClientTimer, lws_usec_t(delay * 1_000_000))
    }

    fileprivate func handle(wsi: OpaquePointer?, reason: lws_callback_reasons, input: UnsafeMutableRawPointer?, len: Int) -> Int32 {
        switch reason {
        case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
            drainInbox()
            return 0
        case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
            guard let wsi, let input else { return 0 }
            return appendHeaders(wsi, input.assumingMemoryBound(to: UnsafeMutablePointer<UInt8>?.self), len)
        case LWS_CALLBACK_CLIENT_ESTABLISHED:
            guard let wsi else { return -1 }
            self.wsi = wsi
            attempt = 0
            counters.connects.wrappingAdd(1, ordering: .relaxed)
            let session = WebSocketSession(wsi: wsi, connection: connection, endpoint: nil, maxMessageSize: config.maxMessageSize)
            self.session = session
            connection.opened(remoteAddress: WebSocketSession.peerAddress(wsi))
            session.apply()
            logger.debug("connected")
            if let onOpen = handlers.withLock({ $0.onOpen }) {
                let connection = self.connection
                queue.async { onOpen(connection) }
            }
            return 0
        case LWS_CALLBACK_CLIENT_RECEIVE:
            guard let session, session.wsi == wsi else { return 0 }
            switch session.receive(input, len) {
            case .partial: return 0
            case .message(let message):
                received.append(message)
                return 0
            case .tooBig:
                counters.oversized.wrappingAdd(1, ordering: .relaxed)
                logger.info("closing WebSocket: message too big", metadata: ["limit": "\(config.maxMessageSize)"])
                return session.refuseTooBig()
            }
        case LWS_CALLBACK_CLIENT_WRITEABLE:
            guard let session, session.wsi == wsi else { return 0 }
            return session.writeable(writeBuffer)
        case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
            if let session, session.wsi == wsi { session.peerClosed(input, len) }
            return 0
        case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
            let why = input.map { String(cString: $0.assumingMemoryBound(to: CChar.self)) } ?? "connection failed"
            if wsi == self.wsi { self.wsi = nil }
            if let session, session.wsi == wsi {
                ended(session)
            } else {
                counters.failures.wrappingAdd(1, ordering: .relaxed)
                logger.debug("connection attempt failed", metadata: ["error": "\(why)"])
            }
            failed(why)
            return 0
        case LWS_CALLBACK_CLIENT_CLOSED, LWS_CALLBACK_WSI_DESTROY:
            if let session, session.wsi == wsi {
                ended(session)
                failed("connection closed")
            } else if reason == LWS_CALLBACK_WSI_DESTROY, wsi != nil, wsi == self.wsi {
                // An attempt that ended without ESTABLISHED or CONNECTION_ERROR.
                self.wsi = nil
                failed("connection attempt ended")
            }
            return 0
        default:
            return 0
        }
    }

    /// A paused connection reads nothing, not even the server's pongs or its
    /// FIN: drop it if the server left, otherwise keep lws' keepalive from
    /// taking the pause for a dead connection.
    fileprivate func sweep() {
        guard let context, !inbox.stopRequested else { return }
        if let session, session.rxPaused {
            let fd = lws_get_socket_fd(session.wsi)
            if fd >= 0 && junction_peer_gone(fd) != 0 {
                lws_set_timeout(session.wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC)
            } else {
                lws_validity_confirmed(session.wsi)
            }
        }
        lws_sul_schedule(context, 0, junction_sul_base(sweeper), lwsClientSweep, Self.sweepInterval)
    }

    private func ended(_ session: WebSocketSession) {
        self.session = nil
        wsi = nil
        flushReceived()
        let status = session.closeStatus
        connection.closed(forGood: inbox.stopRequested)
        logger.debug("disconnected", metadata: ["code": "\(status.code)"])
        if let onClose = handlers.withLock({ $0.onClose }) {
            queue.async { onClose(status.code, status.reason) }
        }
    }

    private func drainInbox() {
        inbox.drain(into: &drainBuffer)
        if let session {
            if !drainBuffer.isEmpty { session.apply() }
        } else if !drainBuffer.isEmpty {
            _ = connection.wanted()  // applied when the next connection is established
        }
        drainBuffer.removeAll(keepingCapacity: true)
    }

    private func flushReceived() {
        guard !received.isEmpty else { return }
        let batch = received
        received.removeAll(keepingCapacity: true)
        guard let onMessages = handlers.withLock({ $0.onMessages }) else { return }
        queue.async { onMessages(batch) }
    }

    /// `CLIENT_APPEND_HANDSHAKE_HEADER`: `p` points at the write cursor, `room` bytes are left.
    private func appendHeaders(_ wsi: OpaquePointer, _ p: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>, _ room: Int) -> Int32 {
        guard let start = p.pointee else { return -1 }
        let end = start + room
        for (name, value) in config.headers {
            if !headerWriter.add(wsi, name, value, &p.pointee, end) { return -1 }
        }
        return 0
    }

    /// `s` as C memory, freed in `deinit`.
    private static func copy(_ s: String) -> UnsafeMutablePointer<CChar> {
        if let copy = strdup(s) { return copy }
        let empty = UnsafeMutablePointer<CChar>.allocate(capacity: 1)
        empty.initialize(to: 0)
        return empty
    }
}

/// The protocol callback of every client context; the context's user pointer is the loop.
private func lwsClientCallback(
    _ wsi: OpaquePointer?, _ reason: lws_callback_reasons,
    _ user: UnsafeMutableRawPointer?, _ input: UnsafeMutableRawPointer?, _ len: Int
) -> Int32 {
    guard let wsi, let context = lws_get_context(wsi), let loop = lws_context_user(context) else { return 0 }
    return Unmanaged<WebSocketClientLoop>.fromOpaque(loop).takeUnretainedValue()
        .handle(wsi: wsi, reason: reason, input: input, len: len)
}

/// The reconnect timer; `junction_sul.user` holds the loop.
private func lwsClientTimer(_ sul: UnsafeMutablePointer<lws_sorted_usec_list_t>?) {
    guard let sul, let loop = junction_sul_user(sul) else { return }
    Unmanaged<WebSocketClientLoop>.fromOpaque(loop).takeUnretainedValue().connect()
}

/// The paused-connection sweep; `junction_sul.user` holds the loop.
private func lwsClientSweep(_ sul: UnsafeMutablePointer<lws_sorted_usec_list_t>?) {
    guard let sul, let loop = junction_sul_user(sul) else { return }
    Unmanaged<WebSocketClientLoop>.fromOpaque(loop).takeUnretainedValue().sweep()
}
