import Dispatch
import Foundation
import JunctionNet

/// One WebSocket of the RTM endpoint and the session it carries. Confined
/// to the server's queue.
final class RTMClientConnection {
    let socket: WebSocketConnection
    /// When the client last sent anything (a ping or any other message).
    var lastSeen: DispatchTime
    /// The session this connection started, once `session_start` was taken.
    var session: Session?

    /// A session as the connection sees it.
    struct Session {
        let id: String
        let clientID: String
        let webhookURL: String?
        /// The session a supervisor session watches.
        var monitoring: String?
        let startedAt = Date()
        var state: RTMSessionState = .setup
        /// The hub tap of a recording or of a supervisor's copies.
        var tap: Int?
        var recording: Recording?
    }

    /// A running recording.
    struct Recording {
        let id: String
        let writer: RTMRecordingWriter
        let uploadURL: String
        let webhookURL: String?
    }

    init(socket: WebSocketConnection) {
        self.socket = socket
        lastSeen = .now()
    }

    /// Sends one server message in the session's envelope (or with the ids given).
    func send(_ event: RTMEvent, clientID: String? = nil, sessionID: String? = nil) {
        let bytes = event.encoded(clientID: clientID ?? session?.clientID ?? "", sessionID: sessionID ?? session?.id ?? "")
        _ = socket.send(WebSocketMessage(text: String(decoding: bytes, as: UTF8.self)))
    }
}
