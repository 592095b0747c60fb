/// The lifecycle of an RTM session: INIT → SETUP → ACTIVE → SHUTDOWN →
/// TERMINATED. A session only moves forward; SETUP and ACTIVE may end early
/// (straight to SHUTDOWN).
///
/// ```swift
/// RTMSessionState.setup.canMove(to: .active)   // true
/// RTMSessionState.active.canMove(to: .setup)   // false
/// ```
public enum RTMSessionState: String, Sendable, CaseIterable {
    /// The session id exists; no client has started it.
    case initial = "INIT"
    /// A client sent `session_start`; the peer connection is being set up.
    case setup = "SETUP"
    /// The peer connection is up.
    case active = "ACTIVE"
    /// The session is ending: recordings are finished and uploaded.
    case shutdown = "SHUTDOWN"
    /// The session is over; the termination cause says why.
    case terminated = "TERMINATED"

    private var rank: Int {
        switch self {
        case .initial: return 0
        case .setup: return 1
        case .active: return 2
        case .shutdown: return 3
        case .terminated: return 4
        }
    }

    /// Whether a session in this state may move to `next` (forward only; TERMINATED is final).
    public func canMove(to next: RTMSessionState) -> Bool {
        next.rank > rank
    }

    /// SETUP or ACTIVE: the states that count against one session per client.
    public var isLive: Bool { self == .setup || self == .active }
}

/// Why a session ended (`termination_cause` of `session_state`).
public enum RTMTerminationCause: String, Sendable, CaseIterable {
    /// A connection error (the WebSocket failed, or the ping timed out).
    case connectionError = "CONN_ERROR"
    /// The client sent `session_stop` or closed its WebSocket.
    case terminatedByClient = "TERM_BY_CLIENT"
    /// The monitored (agent) session ended; sent to its supervisors.
    case agentSessionTerminated = "AGENT_SESSION_TERM"
    /// The peer connection failed.
    case peerConnectionFailed = "PEERCONN_FAILED"
    /// The SDP offer could not be used.
    case sdpError = "SDP_ERROR"
    /// Junction is shutting down.
    case serviceShutdown = "SERVICE_SHUTDOWN"
    /// A supervisor asked for a session that is not live.
    case noActiveAgent = "NO_ACTIVE_AGENT"
    /// The client (or supervisor) already has a live session.
    case twoTimer = "TWO_TIMER"
    /// The monitored session already has its maximum of supervisors.
    case maxSupervisorsPerAgent = "MAX_SUPERVISORS_PER_AGENT"
    /// No packet arrived within the configured time.
    case noPacketReceived = "NO_PACKET_RECEIVED"
}

/// The state of a recording (`recording_state`).
public enum RTMRecordingState: String, Sendable {
    case started = "STARTED"
    case stopped = "STOPPED"
    case failed = "FAILED"
}
