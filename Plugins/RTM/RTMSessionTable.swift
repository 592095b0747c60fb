import Synchronization

/// Which RTM sessions are live and who supervises whom: the rules that hold
/// across connections. One live (SETUP or ACTIVE) session per client id
/// (`TWO_TIMER` otherwise); a supervisor joins only a live session
/// (`NO_ACTIVE_AGENT`) that has fewer than `maxSupervisors` supervisors
/// (`MAX_SUPERVISORS_PER_AGENT`). Thread-safe.
///
/// ```swift
/// let table = RTMSessionTable(maxSupervisors: 3)
/// table.startClient(clientID: "c-0", sessionID: "s-1")          // nil: registered
/// table.startClient(clientID: "c-0", sessionID: "s-9")          // .twoTimer
/// table.move("s-1", to: .active)
/// table.joinSupervisor(clientID: "sup-1", sessionID: "s-2", monitoring: "s-1")   // nil
/// table.end("s-1")   // ["s-2"]: its supervisors, which end with AGENT_SESSION_TERM
/// ```
public final class RTMSessionTable: Sendable {
    /// One session as the table sees it.
    public struct Entry: Equatable, Sendable {
        public let sessionID: String
        public let clientID: String
        /// The session this one supervises, for a supervisor session.
        public let monitoring: String?
        public var state: RTMSessionState
        public var supervisors: [String]
    }

    /// The most supervisors one session may have.
    public let maxSupervisors: Int
    private let entries = Mutex<[String: Entry]>([:])

    public init(maxSupervisors: Int) {
        self.maxSupervisors = maxSupervisors
    }

    /// Registers a client session in SETUP (`nil`), or returns why not.
    @discardableResult
    public func startClient(clientID: String, sessionID: String) -> RTMTerminationCause? {
        entries.withLock { entries in
            if let cause = Self.refusal(entries, clientID: clientID, sessionID: sessionID) { return cause }
            entries[sessionID] = Entry(sessionID: sessionID, clientID: clientID, monitoring: nil, state: .setup, supervisors: [])
            return nil
        }
    }

    /// Registers a supervisor session of `monitoring` in SETUP (`nil`), or returns why not.
    @discardableResult
    public func joinSupervisor(clientID: String, sessionID: String, monitoring: String) -> RTMTerminationCause? {
        entries.withLock { entries in
            if let cause = Self.refusal(entries, clientID: clientID, sessionID: sessionID) { return cause }
            guard var agent = entries[monitoring], agent.monitoring == nil, agent.state.isLive else { return .noActiveAgent }
            guard agent.supervisors.count < maxSupervisors else { return .maxSupervisorsPerAgent }
            agent.supervisors.append(sessionID)
            entries[monitoring] = agent
            entries[sessionID] = Entry(sessionID: sessionID, clientID: clientID, monitoring: monitoring, state: .setup, supervisors: [])
            return nil
        }
    }

    /// Moves a session forward (SETUP → ACTIVE → SHUTDOWN); `false` when it
    /// is unknown or already past `state`.
    @discardableResult
    public func move(_ sessionID: String, to state: RTMSessionState) -> Bool {
        entries.withLock { entries in
            guard var entry = entries[sessionID], entry.state.canMove(to: state), state != .terminated else { return false }
            entry.state = state
            entries[sessionID] = entry
            return true
        }
    }

    /// Removes a session (it is TERMINATED) and returns its supervisors'
    /// session ids, which the caller ends with `AGENT_SESSION_TERM`.
    @discardableResult
    public func end(_ sessionID: String) -> [String] {
        entries.withLock { entries in
            guard let entry = entries.removeValue(forKey: sessionID) else { return [] }
            if let agent = entry.monitoring, var monitored = entries[agent] {
                monitored.supervisors.removeAll { $0 == sessionID }
                entries[agent] = monitored
            }
            return entry.supervisors
        }
    }

    /// A session's entry, if it is registered.
    public func entry(_ sessionID: String) -> Entry? {
        entries.withLock { $0[sessionID] }
    }

    /// How many sessions are registered.
    public var count: Int { entries.withLock { $0.count } }

    private static func refusal(_ entries: [String: Entry], clientID: String, sessionID: String) -> RTMTerminationCause? {
        if entries[sessionID] != nil { return .twoTimer }
        if entries.values.contains(where: { $0.clientID == clientID && $0.state.isLive }) { return .twoTimer }
        return nil
    }
}
