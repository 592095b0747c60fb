import DataChannelPlugin
import Foundation
import JunctionNet
import JunctionRTC

/// Session lifecycle: SETUP on `session_start`, ACTIVE when the peer
/// connection is up, SHUTDOWN and TERMINATED (with the cause) when it ends.
extension RTMServer {
    /// `session_start` (`monitoring` nil) or `supervisor_join_session`: the
    /// checks, the table's admission (or the refusal's cause in a
    /// TERMINATED state), SETUP, then the peer connection and its answer.
    func begin(_ message: RTMMessage, sdp: RTMSessionDescription, webhookURL: String?, monitoring: String?, on connection: RTMClientConnection) {
        guard connection.session == nil else {
            return refuse(connection, "a session was already started on this connection", inReplyTo: message.type)
        }
        if let webhookURL, let why = config.urlPolicy.check(webhookURL, field: "webhook_url") {
            return refuse(connection, why, inReplyTo: message.type, clientID: message.clientID, sessionID: message.sessionID)
        }
        let refusal = if let monitoring {
            table.joinSupervisor(clientID: message.clientID, sessionID: message.sessionID, monitoring: monitoring)
        } else {
            table.startClient(clientID: message.clientID, sessionID: message.sessionID)
        }
        if let cause = refusal {
            refusedSessions.increment()
            logger.info("RTM session refused", metadata: [
                "client": "\(message.clientID)", "session": "\(message.sessionID)", "monitoring": "\(monitoring ?? "-")", "cause": "\(cause.rawValue)",
            ])
            return connection.send(.sessionState(.terminated, cause: cause), clientID: message.clientID, sessionID: message.sessionID)
        }
        sessionsTotal.increment()
        var session = RTMClientConnection.Session(id: message.sessionID, clientID: message.clientID, webhookURL: webhookURL)
        session.monitoring = monitoring
        connection.session = session
        liveSessions.record(table.count)
        connection.send(.sessionState(.setup, cause: nil))
        if let monitoring { watch(monitoring) }
        answer(message, sdp: sdp, on: connection)
    }

    /// The peer connection for the connection's new session, and the answer in `sdp_update`.
    private func answer(_ message: RTMMessage, sdp: RTMSessionDescription, on connection: RTMClientConnection) {
        guard let hub else { return terminate(connection, cause: .serviceShutdown) }
        let socketID = connection.socket.id
        let pc: PeerConnection
        do {
            pc = try hub.accept(offer: sdp.sdp, id: message.sessionID) { [weak self] state in
                guard let self else { return }
                queue.async { self.peerConnection(socketID, state) }
            }
        } catch {
            connection.send(.error(error.reason, inReplyTo: message.type))
            return terminate(connection, cause: error == .full ? .serviceShutdown : .sdpError)
        }
        connection.send(.sdpUpdate(RTMSessionDescription(type: "answer", sdp: pc.answer.sdp)))
        logger.info("RTM session started", metadata: [
            "client": "\(message.clientID)", "session": "\(message.sessionID)", "monitoring": "\(connection.session?.monitoring ?? "-")",
        ])
    }

    /// `sdp_update` from the client: a new offer for the session's peer
    /// connection (renegotiation), answered with `sdp_update`. Junction makes
    /// no offers, so an answer here is a mistake. A refused offer gets an
    /// error and the session goes on as it was.
    func renegotiate(_ message: RTMMessage, sdp: RTMSessionDescription, on connection: RTMClientConnection) {
        guard let session = connection.session, session.state.isLive else {
            return refuse(connection, "no session was started on this connection", inReplyTo: message.type)
        }
        guard sdp.type == "offer" else {
            return refuse(connection, "Junction makes no offers, so it takes no '\(sdp.type)': send a new offer to renegotiate", inReplyTo: message.type)
        }
        guard let hub else { return terminate(connection, cause: .serviceShutdown) }
        do {
            let answer = try hub.renegotiate(session: session.id, offer: sdp.sdp)
            connection.send(.sdpUpdate(RTMSessionDescription(type: "answer", sdp: answer)))
        } catch {
            refuse(connection, error.reason, inReplyTo: message.type)
        }
    }

    private func peerConnection(_ socketID: UInt64, _ state: PeerConnection.State) {
        guard let connection = connections[socketID], let session = connection.session, session.state.isLive else { return }
        switch state {
        case .connected:
            guard session.state == .setup, table.move(session.id, to: .active) else { return }
            connection.session?.state = .active
            connection.send(.sessionState(.active, cause: nil))
        case .failed:
            terminate(connection, cause: .peerConnectionFailed)
        case .closed:
            // Junction stopping closes every peer connection; otherwise the
            // client closed its own while the WebSocket stayed.
            terminate(connection, cause: hub?.isStopping == true ? .serviceShutdown : .terminatedByClient)
        case .new, .connecting, .disconnected:
            break
        }
    }

    /// Ends the connection's session (if it has a live one): SHUTDOWN, its
    /// recording stopped and uploaded, the peer connection closed, its
    /// supervisors ended (AGENT_SESSION_TERM), TERMINATED with `cause`, and
    /// the `session_finished` (or `supervisor_session_finished`) webhook.
    /// The WebSocket stays open.
    func terminate(_ connection: RTMClientConnection, cause: RTMTerminationCause) {
        guard var session = connection.session, session.state.isLive else { return }
        table.move(session.id, to: .shutdown)
        session.state = .shutdown
        connection.session = session
        connection.send(.sessionState(.shutdown, cause: nil))
        stopRecording(connection)
        if let token = connection.session?.tap { hub?.untap(session: session.id, token: token) }
        connection.session?.tap = nil
        hub?.close(session: session.id)
        let supervisors = table.end(session.id)
        session = connection.session ?? session
        session.state = .terminated
        connection.session = session
        liveSessions.record(table.count)
        connection.send(.sessionState(.terminated, cause: cause))
        logger.info("RTM session ended", metadata: ["client": "\(session.clientID)", "session": "\(session.id)", "cause": "\(cause.rawValue)"])
        endSupervisors(supervisors)
        if let agent = session.monitoring, let monitored = self.connection(ofSession: agent) { untapIfIdle(monitored) }
        if let url = session.webhookURL {
            let event: RTMWebhookEvent = if let agent = session.monitoring {
                .supervisorSessionFinished(sessionID: session.id, clientID: session.clientID, monitoredSession: agent, cause: cause, startedAt: session.startedAt, stoppedAt: Date())
            } else {
                .sessionFinished(sessionID: session.id, clientID: session.clientID, cause: cause, startedAt: session.startedAt, stoppedAt: Date())
            }
            webhookSender?.post(event, to: url)
        }
    }
}
