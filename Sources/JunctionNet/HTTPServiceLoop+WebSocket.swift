import CWebSockets
import Logging

/// Service thread: WebSocket upgrades on mounted paths, and their messages.
extension HTTPServiceLoop {
    /// The established WebSocket named by this wsi's per-session data.
    func webSocket(_ pss: UnsafeMutableRawPointer?) -> WebSocketSession? {
        guard let pss else { return nil }
        let id = pss.load(as: UInt64.self)
        return WebSocketConnection.isWebSocketID(id) ? webSockets[id] : nil
    }

    /// `LWS_CALLBACK_HTTP_CONFIRM_UPGRADE`: only `websocket`, only on a mounted path.
    func onConfirmUpgrade(wsi: OpaquePointer, input: UnsafeMutableRawPointer?) -> Int32 {
        let upgrade = input.map { String(cString: $0.assumingMemoryBound(to: CChar.self)) } ?? ""
        let path = headerReader.value(wsi, WSI_TOKEN_GET_URI) ?? ""
        guard upgrade.lowercased() == "websocket", let endpoint = webSocketRouter.endpoint(path) else {
            logger.debug("refusing protocol upgrade", metadata: ["upgrade": "\(upgrade)", "path": "\(path)"])
            return -1
        }
        guard endpoint.authorizes(headerReader.value(wsi, WSI_TOKEN_HTTP_AUTHORIZATION)) else {
            logger.info("refusing a WebSocket without the bearer token", metadata: ["path": "\(path)", "remote": "\(WebSocketSession.peerAddress(wsi))"])
            return -1
        }
        return 0
    }

    /// `LWS_CALLBACK_ESTABLISHED`: the handshake is done; the request headers are still readable.
    func onWebSocketEstablished(wsi: OpaquePointer, pss: UnsafeMutableRawPointer?) -> Int32 {
        guard let pss else { return -1 }
        let path = headerReader.value(wsi, WSI_TOKEN_GET_URI) ?? ""
        guard let endpoint = webSocketRouter.endpoint(path) else { return -1 }
        let connection = WebSocketConnection(path: endpoint.path, inbox: inbox, paused: endpoint.isPaused)
        connection.opened(remoteAddress: WebSocketSession.peerAddress(wsi))
        let session = WebSocketSession(wsi: wsi, connection: connection, endpoint: endpoint, maxMessageSize: endpoint.maxMessageSize)
        webSockets[connection.id] = session
        pss.storeBytes(of: connection.id, as: UInt64.self)
        session.apply()
        endpoint.connected(connection)
        return 0
    }

    /// `LWS_CALLBACK_RECEIVE`: a piece of a message; whole ones go out once per service pass.
    func onWebSocketReceive(pss: UnsafeMutableRawPointer?, input: UnsafeMutableRawPointer?, len: Int) -> Int32 {
        guard let session = webSocket(pss), let endpoint = session.endpoint else { return 0 }
        switch session.receive(input, len) {
        case .partial:
            return 0
        case .message(let message):
            if let last = webSocketRuns.indices.last, webSocketRuns[last].endpoint === endpoint {
                webSocketRuns[last].messages.append((session.connection, message))
            } else {
                webSocketRuns.append((endpoint, [(session.connection, message)]))
            }
            return 0
        case .tooBig:
            endpoint.countOversized()
            logger.info("closing WebSocket: message too big", metadata: [
                "path": "\(endpoint.path)", "remote": "\(session.connection.remoteAddress)", "limit": "\(session.maxMessageSize)",
            ])
            return session.refuseTooBig()
        }
    }

    /// `LWS_CALLBACK_SERVER_WRITEABLE`.
    func onWebSocketWriteable(pss: UnsafeMutableRawPointer?) -> Int32 {
        guard let session = webSocket(pss) else { return 0 }
        return session.writeable(writeBuffer)
    }

    /// The WebSocket closed (`LWS_CALLBACK_CLOSED`, or the wsi went away).
    func webSocketGone(id: UInt64) {
        guard let session = webSockets.removeValue(forKey: id) else { return }
        session.connection.closed(forGood: true)
        let status = session.closeStatus
        session.endpoint?.disconnected(session.connection, code: status.code, reason: status.reason)
    }

    /// Hands this pass's messages to their endpoints' queues, one batch per endpoint run.
    ///
    /// A route may run on this thread and queue replies to WebSockets of this
    /// loop: those are applied right after, not on the next pass after a
    /// `lws_cancel_service` wake-up, which saves a poll round per message on
    /// a relay between two clients of the same thread.
    func flushWebSocketMessages() {
        guard !webSocketRuns.isEmpty else { return }
        inbox.inlineWorkRunning = true
        defer {
            inbox.inlineWorkRunning = false
            drainInbox()
        }
        let runs = webSocketRuns
        webSocketRuns = []  // the runs' arrays go to the endpoints; nothing to keep
        for run in runs { run.endpoint.deliver(run.messages) }
    }
}
