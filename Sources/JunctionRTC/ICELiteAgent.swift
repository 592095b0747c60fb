/// The controlled side of ICE in its lite form (RFC 8445 §2.5, §7.3): it
/// gathers nothing and sends no checks; it answers the peer's authenticated
/// Binding requests, and the address the peer nominates (USE-CANDIDATE) is
/// where everything else goes.
///
/// A pure state machine: the peer connection hands it each STUN datagram with
/// the socket it came in on, sends the answer it returns from that same
/// socket, and calls ``tick(now:)`` on a timer for liveness. Times are
/// monotonic nanoseconds.
///
/// ```swift
/// var agent = ICELiteAgent(local: answerCredentials, remoteUfrag: offer.dataChannel?.credentials?.ufrag)
/// let outcome = agent.handle(datagram, from: source, socket: 0, now: clock())
/// if let reply = outcome.reply { socket.send(reply, to: source) }
/// if outcome.nominatedNow { startDTLS(towards: agent.selected!) }
/// ```
public struct ICELiteAgent: Sendable {
    /// Connection states as `RTCIceTransport` names them.
    public enum State: String, Sendable {
        /// No authenticated check yet.
        case new
        /// Checks arrive, none nominated yet.
        case checking
        /// A pair is nominated and checks keep coming.
        case connected
        /// No authenticated check for ``ICELiteAgent/disconnectedAfter``.
        case disconnected
        /// No authenticated check for ``ICELiteAgent/failedAfter``: give up.
        case failed
    }

    /// Where the peer's chosen path ends: its address and our socket.
    public struct Pair: Sendable, Hashable {
        public let remote: STUNAddress
        /// Index of the local socket (one per advertised address).
        public let socket: Int
    }

    /// What one datagram did.
    public struct Outcome: Sendable {
        /// The answer to send back from the same socket to the same address (nil: drop silently).
        public var reply: [UInt8]?
        /// This request nominated a pair (the first, or a different one).
        public var nominatedNow = false
        /// Why the datagram was refused or dropped, for counting and logs; nil when accepted.
        public var problem: String?
    }

    public private(set) var local: ICECredentials
    /// The peer's ufrag from its offer; when known, USERNAME must end with it.
    public var remoteUfrag: String?
    /// The credentials before an ICE restart, still answered until the first
    /// check with the new ones (``restart(local:remoteUfrag:)``).
    private var previous: (local: ICECredentials, remoteUfrag: String?)?
    /// No check for this long: ``State/disconnected``.
    public var disconnectedAfter: UInt64 = 10_000_000_000
    /// No check for this long: ``State/failed``.
    public var failedAfter: UInt64 = 30_000_000_000

    public private(set) var state = State.new
    /// The latest nominated pair.
    public private(set) var selected: Pair?
    /// Authenticated checks answered, and requests refused or dropped.
    public private(set) var answered = 0
    public private(set) var refused = 0
    private var lastCheck: UInt64?

    public init(local: ICECredentials, remoteUfrag: String? = nil) {
        self.local = local
        self.remoteUfrag = remoteUfrag
    }

    /// Handles one datagram the demultiplexer classed as STUN.
    public mutating func handle(_ datagram: [UInt8], from source: STUNAddress, socket: Int, now: UInt64) -> Outcome {
        let packet: STUNPacket
        do {
            packet = try STUNPacket(bytes: datagram)
        } catch {
            return drop("\(error)")
        }
        // RFC 8489 §7.3: a FINGERPRINT that does not check out means this is not STUN.
        if packet.hasFingerprint && !packet.fingerprintIsValid { return drop("STUN: bad FINGERPRINT") }
        let message = packet.message
        guard message.type.method == STUNMessageType.binding else { return drop("STUN: not a Binding message") }
        switch message.type.messageClass {
        case .request:
            break
        case .indication:
            return Outcome()  // keepalives: nothing to answer
        case .successResponse, .errorResponse:
            return drop("STUN: a response to a check we never sent")
        }

        // RFC 8489 §9.1.3: missing USERNAME or MESSAGE-INTEGRITY → 400, wrong ones → 401.
        guard let username = message.username, packet.hasIntegrity else {
            return refuse(message, .badRequest, "STUN: check without USERNAME or MESSAGE-INTEGRITY", signedWith: nil)
        }
        let key: ICECredentials
        if Self.username(username, matches: local, remoteUfrag), packet.integrityIsValid(key: local.integrityKey) {
            key = local
            previous = nil
        } else if let previous, Self.username(username, matches: previous.local, previous.remoteUfrag),
                  packet.integrityIsValid(key: previous.local.integrityKey) {
            key = previous.local
        } else {
            return refuse(message, .unauthorized, "STUN: check with a wrong USERNAME or MESSAGE-INTEGRITY", signedWith: nil)
        }
        let unknown = message.unknownComprehensionRequired
        if !unknown.isEmpty {
            return refuse(message, .unknownAttribute, "STUN: unknown attributes \(unknown)", signedWith: key, unknown: unknown)
        }
        // We are controlled; a peer that says it is controlled too must switch (RFC 8445 §7.3.1.1).
        if message.iceControlled != nil {
            return refuse(message, .roleConflict, "STUN: both sides controlled", signedWith: key)
        }

        lastCheck = now
        answered += 1
        var outcome = Outcome()
        outcome.reply = encode(STUNMessage.bindingSuccess(for: message, mappedAddress: source), signedWith: key)
        if message.useCandidate {
            let pair = Pair(remote: source, socket: socket)
            if selected != pair {
                selected = pair
                outcome.nominatedNow = true
            }
        }
        state = selected == nil ? .checking : .connected
        return outcome
    }

    /// Liveness: moves to disconnected or failed when checks stop; back to
    /// connected (or checking) when they resume (see ``handle(_:from:socket:now:)``).
    /// Returns true when the state changed.
    @discardableResult
    public mutating func tick(now: UInt64) -> Bool {
        guard let lastCheck, state != .failed else { return false }
        let quiet = now >= lastCheck ? now - lastCheck : 0
        let next: State
        if quiet >= failedAfter {
            next = .failed
        } else if quiet >= disconnectedAfter {
            next = .disconnected
        } else {
            next = selected == nil ? .checking : .connected
        }
        guard next != state else { return false }
        state = next
        return true
    }

    /// An ICE restart (RFC 8445 §9): checks must now carry `local` and the
    /// peer's new ufrag. Until the first one does, checks with the old
    /// credentials are still answered, so the path in use stays up while
    /// the peer switches.
    public mutating func restart(local: ICECredentials, remoteUfrag: String?) {
        previous = (self.local, self.remoteUfrag)
        self.local = local
        self.remoteUfrag = remoteUfrag
    }

    /// `ours:theirs`; only `ours:` is checked while the peer's ufrag is unknown.
    private static func username(_ username: String, matches local: ICECredentials, _ remoteUfrag: String?) -> Bool {
        guard let colon = username.firstIndex(of: ":"), username[..<colon] == local.ufrag else { return false }
        guard let remoteUfrag else { return true }
        return username[username.index(after: colon)...] == remoteUfrag
    }

    private mutating func refuse(
        _ request: STUNMessage, _ error: STUNErrorCode, _ why: String, signedWith key: ICECredentials?, unknown: [UInt16] = []
    ) -> Outcome {
        refused += 1
        let answer = STUNMessage.bindingError(for: request, error: error, unknownAttributes: unknown)
        return Outcome(reply: encode(answer, signedWith: key), problem: why)
    }

    private mutating func drop(_ why: String) -> Outcome {
        refused += 1
        return Outcome(reply: nil, problem: why)
    }

    /// Success and role-conflict answers carry MESSAGE-INTEGRITY with our
    /// password; 400/401 go out with FINGERPRINT only (the sender may not share our key).
    private func encode(_ message: STUNMessage, signedWith key: ICECredentials?) -> [UInt8]? {
        try? message.encode(integrityKey: key?.integrityKey, fingerprint: true)
    }
}
