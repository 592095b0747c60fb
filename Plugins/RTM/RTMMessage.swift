import JunctionJSON

/// An `RTCSessionDescription`: `{"type": "offer", "sdp": "v=0…"}`.
public struct RTMSessionDescription: Equatable, Sendable {
    /// `offer`, `answer`, `pranswer` or `rollback`.
    public var type: String
    /// The SDP text.
    public var sdp: String

    public init(type: String, sdp: String) {
        self.type = type
        self.sdp = sdp
    }
}

/// An `RTCIceCandidate` (trickle ICE).
public struct RTMCandidate: Equatable, Sendable {
    /// The `candidate:` line without the `a=` prefix.
    public var candidate: String
    public var sdpMid: String?
    public var sdpMLineIndex: Int?
    public var usernameFragment: String?

    public init(candidate: String, sdpMid: String? = nil, sdpMLineIndex: Int? = nil, usernameFragment: String? = nil) {
        self.candidate = candidate
        self.sdpMid = sdpMid
        self.sdpMLineIndex = sdpMLineIndex
        self.usernameFragment = usernameFragment
    }
}

/// What a client asks for, one case per client → server message type.
public enum RTMRequest: Equatable, Sendable {
    /// `session_start`: an SDP offer, and where session webhooks go.
    case sessionStart(sdp: RTMSessionDescription, webhookURL: String?, version: String?)
    /// `supervisor_join_session`: watch another session's channels.
    case supervisorJoin(sdp: RTMSessionDescription, monitoredSession: String, webhookURL: String?)
    /// `sdp_update`: renegotiation (an answer to a server offer, or a new offer).
    case sdpUpdate(RTMSessionDescription)
    /// `candidate`: one trickled candidate; `nil` ends the client's candidates.
    case candidate(RTMCandidate?)
    /// `recording_start`: record, then PUT the file to `uploadURL`.
    case recordingStart(uploadURL: String, webhookURL: String?)
    /// `recording_stop`.
    case recordingStop
    /// `session_stop`.
    case sessionStop
    /// `ping` (an application ping, answered with `pong`).
    case ping
}

/// One client → server RTM message: the envelope (`type`, `client_id`,
/// `session_id`, `data`) read into a typed ``RTMRequest``. Unknown members,
/// at any level, are ignored, so newer clients keep working.
///
/// ```swift
/// let m = try RTMMessage.decode(Array(#"{"type":"ping","client_id":"c-0","session_id":"s-1","data":{}}"#.utf8))
/// m.request    // .ping
/// m.clientID   // "c-0"
/// ```
public struct RTMMessage: Equatable, Sendable {
    /// The message type as sent (`session_start`, …).
    public var type: String
    public var clientID: String
    public var sessionID: String
    public var request: RTMRequest

    /// Longest `client_id` or `session_id` taken.
    public static let maxIDLength = 256

    public init(type: String, clientID: String, sessionID: String, request: RTMRequest) {
        self.type = type
        self.clientID = clientID
        self.sessionID = sessionID
        self.request = request
    }

    /// Reads one message, or says precisely what is wrong with it.
    public static func decode(_ bytes: [UInt8]) throws(RTMProtocolError) -> RTMMessage {
        let root: JSONValue
        do {
            root = try JSONValue.parse(bytes)
        } catch {
            throw RTMProtocolError("not JSON: \(error.message)")
        }
        guard case .object = root else { throw RTMProtocolError("a message is a JSON object, not \(root.kind)") }
        let type = try string(root, "type", in: "the message")
        let clientID = try identifier(root, "client_id")
        let sessionID = try identifier(root, "session_id")
        let data: JSONValue
        switch root["data"] {
        case nil, .null?: data = .object([])
        case let value? where value.kind == .object: data = value
        case let value?: throw RTMProtocolError("'data' must be an object, not \(value.kind)")
        }
        let request: RTMRequest
        switch type {
        case "session_start":
            request = .sessionStart(
                sdp: try description(data, expecting: "offer"), webhookURL: try optionalString(data, "webhook_url"),
                version: try optionalString(data, "version"))
        case "supervisor_join_session":
            request = .supervisorJoin(
                sdp: try description(data, expecting: "offer"),
                monitoredSession: try string(data, "session_id_to_monitor", in: "data"),
                webhookURL: try optionalString(data, "webhook_url"))
        case "sdp_update":
            request = .sdpUpdate(try description(data, expecting: nil))
        case "candidate":
            request = .candidate(try candidate(data))
        case "recording_start":
            request = .recordingStart(uploadURL: try string(data, "upload_url", in: "data"), webhookURL: try optionalString(data, "webhook_url"))
        case "recording_stop": request = .recordingStop
        case "session_stop": request = .sessionStop
        case "ping": request = .ping
        default:
            throw RTMProtocolError("unknown message type '\(type)'")
        }
        return RTMMessage(type: type, clientID: clientID, sessionID: sessionID, request: request)
    }

    private static func string(_ object: JSONValue, _ key: String, in place: String) throws(RTMProtocolError) -> String {
        guard let value = object[key] else { throw RTMProtocolError("\(place) needs '\(key)'") }
        guard let s = value.stringValue else { throw RTMProtocolError("'\(key)' must be a string, not \(value.kind)") }
        guard !s.isEmpty else { throw RTMProtocolError("'\(key)' must not be empty") }
        return s
    }

    private static func optionalString(_ object: JSONValue, _ key: String) throws(RTMProtocolError) -> String? {
        switch object[key] {
        case nil, .null?: return nil
        case .string(let s)?: return s.isEmpty ? nil : s
        case let value?: throw RTMProtocolError("'\(key)' must be a string, not \(value.kind)")
        }
    }

    private static func identifier(_ object: JSONValue, _ key: String) throws(RTMProtocolError) -> String {
        let id = try string(object, key, in: "the message")
        guard id.utf8.count <= maxIDLength else { throw RTMProtocolError("'\(key)' is longer than \(maxIDLength) bytes") }
        guard id.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
            throw RTMProtocolError("'\(key)' holds control characters")
        }
        return id
    }

    private static func description(_ data: JSONValue, expecting wanted: String?) throws(RTMProtocolError) -> RTMSessionDescription {
        guard let sdp = data["sdp"] else { throw RTMProtocolError("data needs 'sdp' (an RTCSessionDescription)") }
        guard case .object = sdp else { throw RTMProtocolError("'sdp' must be an object {type, sdp}, not \(sdp.kind)") }
        let type = try string(sdp, "type", in: "'sdp'")
        guard ["offer", "answer", "pranswer", "rollback"].contains(type) else {
            throw RTMProtocolError("'sdp.type' must be offer, answer, pranswer or rollback, not '\(type)'")
        }
        if let wanted, type != wanted { throw RTMProtocolError("'sdp.type' must be '\(wanted)' here, not '\(type)'") }
        let text = type == "rollback" ? (try optionalString(sdp, "sdp") ?? "") : try string(sdp, "sdp", in: "'sdp'")
        return RTMSessionDescription(type: type, sdp: text)
    }

    private static func candidate(_ data: JSONValue) throws(RTMProtocolError) -> RTMCandidate? {
        guard let value = data["candidate"] else { throw RTMProtocolError("data needs 'candidate' (an RTCIceCandidate)") }
        switch value {
        case .null: return nil
        case .object:
            guard let line = try optionalString(value, "candidate") else { return nil }  // "": end of candidates
            var mLine: Int?
            switch value["sdpMLineIndex"] {
            case nil, .null?: mLine = nil
            case let index? where index.isInteger && (index.numberValue ?? -1) >= 0 && (index.numberValue ?? 0) < 65536:
                mLine = Int(index.numberValue ?? 0)
            case let index?: throw RTMProtocolError("'sdpMLineIndex' must be a small non-negative integer, not \(index)")
            }
            return RTMCandidate(
                candidate: line, sdpMid: try optionalString(value, "sdpMid"), sdpMLineIndex: mLine,
                usernameFragment: try optionalString(value, "usernameFragment"))
        default:
            throw RTMProtocolError("'candidate' must be an object, not \(value.kind)")
        }
    }
}
