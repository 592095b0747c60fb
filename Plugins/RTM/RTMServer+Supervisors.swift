import DataChannelPlugin
import Foundation
import JunctionNet
import JunctionRTC

/// `supervisor_join_session`: a supervisor opens its own peer connection and
/// receives a live copy of the monitored session's data-channel messages
/// (both ways) on its channels of the same label. When the monitored
/// session ends, its supervisors end with AGENT_SESSION_TERM.
///
/// Copies are best effort: a supervisor whose channel is full (its
/// bufferedAmount at the cap) or that has no channel of that label misses
/// the copy, which is counted; the monitored session is never held up.
extension RTMServer {
    func joinSupervisor(_ message: RTMMessage, sdp: RTMSessionDescription, monitored: String, webhookURL: String?, on connection: RTMClientConnection) {
        guard connection.session == nil else {
            return refuse(connection, "a session was already started on this connection", inReplyTo: message.type)
        }
        if let webhookURL, let why = config.urlPolicy.check(webhookURL, field: "webhook_url") {
            return refuse(connection, why, inReplyTo: message.type, clientID: message.clientID, sessionID: message.sessionID)
        }
        if let cause = table.joinSupervisor(clientID: message.clientID, sessionID: message.sessionID, monitoring: monitored) {
            refusedSessions.increment()
            logger.info("RTM supervisor refused", metadata: ["client": "\(message.clientID)", "monitoring": "\(monitored)", "cause": "\(cause.rawValue)"])
            return connection.send(.sessionState(.terminated, cause: cause), clientID: message.clientID, sessionID: message.sessionID)
        }
        var session = RTMClientConnection.Session(id: message.sessionID, clientID: message.clientID, webhookURL: webhookURL)
        session.monitoring = monitored
        connection.session = session
        sessionsTotal.increment()
        liveSessions.record(table.count)
        connection.send(.sessionState(.setup, cause: nil))
        // The monitored session's traffic reaches `tapped`, which copies it here.
        if let agent = self.connection(ofSession: monitored), agent.session?.tap == nil, let hub {
            agent.session?.tap = hub.tap(session: monitored, tapHandler(socketID: agent.socket.id))
        }
        answer(message, sdp: sdp, on: connection)
    }

    /// Sends a copy of a monitored session's message to each of its supervisors.
    func copyToSupervisors(of session: RTMClientConnection.Session, label: String, message: DataChannelMessage) {
        guard session.monitoring == nil, let supervisors = table.entry(session.id)?.supervisors, !supervisors.isEmpty, let hub else { return }
        for supervisor in supervisors where !hub.send(message, label: label, session: supervisor) {
            missedCopies.increment()
        }
    }

    /// Ends the supervisors of a session that ended.
    func endSupervisors(_ supervisors: [String]) {
        for id in supervisors {
            if let supervisor = self.connection(ofSession: id) { terminate(supervisor, cause: .agentSessionTerminated) }
        }
    }

    func connection(ofSession id: String) -> RTMClientConnection? {
        connections.values.first { $0.session?.id == id && $0.session?.state.isLive == true }
    }
}
