import DataChannelPlugin
import Dispatch
import Foundation
import Junction
import JunctionNet
import JunctionRTC
import Logging
import Metrics
import Synchronization

/// The RTM endpoint (seed 003) on the shared listener: clients open a
/// WebSocket on `rtm.path` and drive sessions whose peer connections are the
/// data-channel hub's, so their channels are the routes' `datachannel`
/// sources and sinks (the channel metadata's session id is the RTM
/// `session_id`).
///
/// All RTM work runs on one serial queue; the WebSocket and peer-connection
/// callbacks hop onto it.
///
/// ```yaml
/// rtm:
///   path: /rtm
///   allowed_urls: ["https://hooks.example.com/"]
/// ```
final class RTMServer: LifecycleService, @unchecked Sendable {
    let config: RTMConfig
    let logger: Logger
    let queue = DispatchQueue(label: "junction.rtm")
    let table: RTMSessionTable
    private let services: ServiceRegistry
    private let endpoint: WebSocketEndpoint
    // Confined to `queue`.
    var connections: [UInt64: RTMClientConnection] = [:]
    var hub: DataChannelHub?
    var webhooks: HTTPClient?
    var webhookSender: RTMWebhookSender?
    var uploader: HTTPUpload?
    /// Where recording files wait for their upload.
    let recordingsDirectory: String
    private var sweep: (any DispatchSourceTimer)?
    /// The queue is suspended from `init` until `start()` (or `stop()`).
    private let suspended = Atomic<Bool>(true)
    private let listeners = Mutex<(next: Int, all: [Int: @Sendable (Message) -> Void])>((0, [:]))

    let malformed = Counter(label: "junction_rtm_malformed_messages_total")
    let sessionsTotal = Counter(label: "junction_rtm_sessions_total")
    let refusedSessions = Counter(label: "junction_rtm_refused_sessions_total")
    let liveSessions = Gauge(label: "junction_rtm_sessions_live")
    let recordings = Counter(label: "junction_rtm_recordings_total")
    let uploadFailures = Counter(label: "junction_rtm_upload_failures_total")
    let missedCopies = Counter(label: "junction_rtm_supervisor_missed_copies_total")

    init(config: RTMConfig, services: ServiceRegistry, listener: HTTPListener, recordings: String, logger: Logger) {
        self.config = config
        self.services = services
        self.logger = logger
        table = RTMSessionTable(maxSupervisors: config.maxSupervisors)
        recordingsDirectory = recordings
        endpoint = WebSocketEndpoint(path: config.path, maxMessageSize: config.maxMessage.bytes)
        endpoint.requireBearerToken(config.token)
        // The listener may serve before start(): what clients send until then
        // waits on the suspended queue instead of finding no handler.
        queue.suspend()
        endpoint.setHandlers(
            onOpen: { [weak self] socket in
                guard let self else { return }
                queue.async { self.opened(socket) }
            },
            onMessages: { [weak self] batch in
                guard let self else { return }
                queue.async { self.received(batch) }
            },
            onClose: { [weak self] socket, code, _ in
                guard let self else { return }
                queue.async { self.closed(socket, code: code) }
            })
        listener.mount(webSocket: endpoint)
    }

    func start() throws {
        // Every section is loaded by now: the hub has the `rtc:` settings.
        let hub = try DataChannelPlugin.sharedHub(services: services)
        var clientLogger = logger
        clientLogger.logLevel = .warning
        let webhooks = try HTTPClient(logger: clientLogger)
        let timer = DispatchSource.makeTimerSource(queue: queue)
        let every = min(1.0, config.pingTimeout.value / 4)
        timer.schedule(deadline: .now() + every, repeating: every)
        timer.setEventHandler { [weak self] in self?.sweepSilent() }
        timer.resume()
        // Nothing runs on the queue while it is suspended: set up, then let
        // the waiting events through.
        self.hub = hub
        self.webhooks = webhooks
        webhookSender = RTMWebhookSender(client: webhooks, policy: config.webhookRetry, logger: logger)
        uploader = HTTPUpload(client: webhooks)
        sweep = timer
        resumeQueue()
        logger.info("RTM endpoint ready", metadata: ["path": "\(config.path)"])
    }

    deinit {
        // Releasing a suspended queue is a libdispatch crash (a server that was
        // made for a routes file but never started, as in `validate`).
        resumeQueue()
    }

    /// Resumes the queue suspended in `init`, once (also when `start()` failed).
    private func resumeQueue() {
        guard suspended.exchange(false, ordering: .acquiringAndReleasing) else { return }
        queue.resume()
    }

    func stop() {
        resumeQueue()
        queue.sync {
            sweep?.cancel()
            sweep = nil
            for connection in connections.values {
                terminate(connection, cause: .serviceShutdown)
                connection.socket.close(code: WebSocketCloseCode.goingAway, reason: "Junction is stopping")
            }
            connections.removeAll()
        }
        webhookSender?.stop()
        webhooks?.shutdown()
    }

    // MARK: Connections

    private func opened(_ socket: WebSocketConnection) {
        connections[socket.id] = RTMClientConnection(socket: socket) { [weak self] event, clientID, sessionID, bytes in
            self?.publish(event, clientID: clientID, sessionID: sessionID, bytes: bytes)
        }
    }

    // MARK: Events for rtm_events sources

    /// Calls `listener` with every session and recording event; returns the token for ``unlisten(_:)``.
    func listen(_ listener: @escaping @Sendable (Message) -> Void) -> Int {
        listeners.withLock { state in
            state.next += 1
            state.all[state.next] = listener
            return state.next
        }
    }

    func unlisten(_ token: Int) {
        listeners.withLock { _ = $0.all.removeValue(forKey: token) }
    }

    private func publish(_ event: RTMEvent, clientID: String, sessionID: String, bytes: [UInt8]) {
        let all = listeners.withLock { Array($0.all.values) }
        guard !all.isEmpty else { return }
        var metadata = ["type": event.type, "session_id": sessionID, "client_id": clientID]
        switch event {
        case .sessionState(let state, let cause):
            metadata["state"] = state.rawValue
            if let cause { metadata["termination_cause"] = cause.rawValue }
        case .recordingState(let id, let state):
            metadata["state"] = state.rawValue
            metadata["recording_id"] = id
        default: break
        }
        let message = Message(payload: bytes, kind: .text, metadata: metadata)
        for listener in all { listener(message) }
    }

    private func closed(_ socket: WebSocketConnection, code: UInt16) {
        guard let connection = connections.removeValue(forKey: socket.id) else { return }
        // Closing the WebSocket ends the session, as session_stop does.
        terminate(connection, cause: code == WebSocketCloseCode.abnormal ? .connectionError : .terminatedByClient)
    }

    /// Sessions whose client has been silent for `ping_timeout` end with CONN_ERROR.
    private func sweepSilent() {
        let limit = config.pingTimeout.nanoseconds
        let now = DispatchTime.now().uptimeNanoseconds
        for connection in connections.values where now &- connection.lastSeen.uptimeNanoseconds > limit {
            logger.info("RTM client silent past ping_timeout", metadata: ["session": "\(connection.session?.id ?? "-")"])
            terminate(connection, cause: .connectionError)
            connections[connection.socket.id] = nil
            connection.socket.close(code: WebSocketCloseCode.normal, reason: "ping timeout")
        }
    }

    // MARK: Messages

    private func received(_ batch: [(WebSocketConnection, WebSocketMessage)]) {
        for (socket, frame) in batch {
            guard let connection = connections[socket.id] else { continue }
            connection.lastSeen = .now()
            let message: RTMMessage
            do {
                message = try RTMMessage.decode(frame.payload)
            } catch {
                refuse(connection, error.message, inReplyTo: nil)
                continue
            }
            handle(message, on: connection)
        }
    }

    /// Answers a message Junction will not act on with an `error`; the session lives on.
    func refuse(_ connection: RTMClientConnection, _ why: String, inReplyTo type: String?, clientID: String? = nil, sessionID: String? = nil) {
        malformed.increment()
        logger.info("RTM message refused", metadata: ["reason": "\(why)", "type": "\(type ?? "-")"])
        connection.send(.error(why, inReplyTo: type), clientID: clientID, sessionID: sessionID)
    }

    private func handle(_ message: RTMMessage, on connection: RTMClientConnection) {
        // After a session ended, the connection may start another one.
        if connection.session?.state == .terminated {
            switch message.request {
            case .sessionStart, .supervisorJoin: connection.session = nil
            default: break
            }
        }
        if let session = connection.session, session.id != message.sessionID || session.clientID != message.clientID {
            return refuse(connection, "this connection carries session '\(session.id)' of client '\(session.clientID)'", inReplyTo: message.type)
        }
        switch message.request {
        case .ping:
            connection.send(.pong, clientID: message.clientID, sessionID: message.sessionID)
        case .sessionStart(let sdp, let webhookURL, _):
            begin(message, sdp: sdp, webhookURL: webhookURL, monitoring: nil, on: connection)
        case .sessionStop:
            guard connection.session != nil else { return refuse(connection, "no session was started on this connection", inReplyTo: message.type) }
            terminate(connection, cause: .terminatedByClient)
        case .candidate:
            // ICE-lite: the peer's addresses come from its connectivity checks; trickled candidates need no action.
            guard connection.session != nil else { return refuse(connection, "no session was started on this connection", inReplyTo: message.type) }
        case .sdpUpdate(let sdp):
            renegotiate(message, sdp: sdp, on: connection)
        case .supervisorJoin(let sdp, let monitored, let webhookURL):
            begin(message, sdp: sdp, webhookURL: webhookURL, monitoring: monitored, on: connection)
        case .recordingStart(let uploadURL, let webhookURL):
            startRecording(message, uploadURL: uploadURL, webhookURL: webhookURL, on: connection)
        case .recordingStop:
            guard connection.session?.recording != nil else { return refuse(connection, "no recording is running", inReplyTo: message.type) }
            stopRecording(connection)
        }
    }
}
