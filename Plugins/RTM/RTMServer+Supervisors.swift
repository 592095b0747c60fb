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
    /// Taps the monitored session (unless its recording already does), so
    /// its traffic reaches `tapped`, which copies it to the supervisors.
    func watch(_ monitored: String) {
        guard let agent = connection(ofSession: monitored), agent.session?.tap == nil, let hub else { return }
        agent.session?.tap = hub.tap(session: monitored, tapHandler(socketID: agent.socket.id))
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
