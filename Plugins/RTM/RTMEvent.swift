import JunctionJSON

/// A server → client RTM message.
///
/// ```swift
/// let bytes = RTMEvent.sessionState(.terminated, cause: .terminatedByClient).encoded(clientID: "c-0", sessionID: "s-1")
/// // {"type":"session_state","client_id":"c-0","session_id":"s-1","data":{"state":"TERMINATED","termination_cause":"TERM_BY_CLIENT"}}
/// ```
public enum RTMEvent: Equatable, Sendable {
    /// `sdp_update` carrying Junction's answer (or a new offer).
    case sdpUpdate(RTMSessionDescription)
    /// `candidate`: one of Junction's candidates.
    case candidate(RTMCandidate)
    /// `recording_state`.
    case recordingState(id: String, state: RTMRecordingState)
    /// `session_state`, with a termination cause once the session ends.
    case sessionState(RTMSessionState, cause: RTMTerminationCause?)
    /// `pong`, the answer to `ping`.
    case pong
    /// `error`: a message was refused (malformed, not allowed now, or a URL
    /// not on the allowed list); the session lives on. Not in the RTM
    /// documentation, which names no error message: its data is
    /// `{"message": "…", "in_reply_to": "<type>"}`.
    case error(String, inReplyTo: String?)

    /// The message `type`.
    public var type: String {
        switch self {
        case .sdpUpdate: return "sdp_update"
        case .candidate: return "candidate"
        case .recordingState: return "recording_state"
        case .sessionState: return "session_state"
        case .pong: return "pong"
        case .error: return "error"
        }
    }

    /// The `data` object.
    public var data: JSONValue {
        switch self {
        case .sdpUpdate(let d):
            return .object([("sdp", .object([("type", .string(d.type)), ("sdp", .string(d.sdp))]))])
        case .candidate(let c):
            var members: [(key: String, value: JSONValue)] = [("candidate", .string(c.candidate))]
            if let mid = c.sdpMid { members.append(("sdpMid", .string(mid))) }
            if let index = c.sdpMLineIndex { members.append(("sdpMLineIndex", .number(Double(index)))) }
            if let ufrag = c.usernameFragment { members.append(("usernameFragment", .string(ufrag))) }
            return .object([("candidate", .object(members))])
        case .recordingState(let id, let state):
            return .object([("recording_id", .string(id)), ("state", .string(state.rawValue))])
        case .sessionState(let state, let cause):
            var members: [(key: String, value: JSONValue)] = [("state", .string(state.rawValue))]
            if let cause { members.append(("termination_cause", .string(cause.rawValue))) }
            return .object(members)
        case .pong:
            return .object([])
        case .error(let message, let inReplyTo):
            var members: [(key: String, value: JSONValue)] = [("message", .string(message))]
            if let inReplyTo { members.append(("in_reply_to", .string(inReplyTo))) }
            return .object(members)
        }
    }

    /// The whole message as JSON text (UTF-8), in the RTM envelope.
    public func encoded(clientID: String, sessionID: String) -> [UInt8] {
        let envelope: JSONValue = .object([
            ("type", .string(type)), ("client_id", .string(clientID)), ("session_id", .string(sessionID)), ("data", data),
        ])
        return Array(envelope.description.utf8)
    }
}
