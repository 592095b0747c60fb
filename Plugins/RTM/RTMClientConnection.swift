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

    /// Hears every session_state and recording_state sent (the `rtm_events` sources).
    let published: (RTMEvent, _ clientID: String, _ sessionID: String, _ bytes: [UInt8]) -> Void

    init(socket: WebSocketConnection, published: @escaping (RTMEvent, String, String, [UInt8]) -> Void) {
        self.socket = socket
        self.published = published
        lastSeen = .now()
    }

    /// Sends one server message in the session's envelope (or with the ids given).
    func send(_ event: RTMEvent, clientID: String? = nil, sessionID: String? = nil) {
        let client = clientID ?? session?.clientID ?? ""
        let id = sessionID ?? session?.id ?? ""
        let bytes = event.encoded(clientID: client, sessionID: id)
        _ = socket.send(WebSocketMessage(text: String(decoding: bytes, as: UTF8.self)))
        switch event {
        case .sessionState, .recordingState: published(event, client, id, bytes)
        default: break
        }
    }
}
