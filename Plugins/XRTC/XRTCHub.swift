import Dispatch
import Foundation
import Junction

/// One item of a portal.
public struct XRTCItem: Sendable, Equatable {
    public let portalID: String
    public let payload: String
    /// Server time of arrival, in milliseconds since the Unix epoch.
    public let timestamp: Int64
    /// Arrival order across all portals of the hub.
    public let seq: UInt64
    /// Arrival order within the portal (1, 2, …): gaps mean the ring overwrote items.
    public let index: UInt64
}

/// What an item/get asks for.
public struct XRTCGetRequest: Sendable, Equatable {
    public enum Mode: String, Sendable { case probe, watch, stream }
    public enum Schedule: String, Sendable { case lifo = "LIFO", fifo = "FIFO" }

    /// Portal ids with an optional "newer than" timestamp; empty means every portal of the account.
    public var portals: [(id: String, since: Int64?)] = []
    public var mode: Mode = .probe
    public var schedule: Schedule = .lifo
    /// Maximum item age in ms; -1 keeps all.
    public var cutoff: Int64 = -1

    public init() {}

    public static func == (a: Self, b: Self) -> Bool {
        a.portals.map(\.id) == b.portals.map(\.id) && a.portals.map(\.since) == b.portals.map(\.since)
            && a.mode == b.mode && a.schedule == b.schedule && a.cutoff == b.cutoff
    }
}

/// The state of the hosted XRTC server: accounts, login sessions with their
/// per-portal delivery cursors, portal rings, and who waits for new items.
/// Thread-safe. Waiters are notified on the thread that stored the item,
/// after the hub's lock is released; a `notify` only hands off (`queue.async`).
public final class XRTCHub: @unchecked Sendable {
    public let limits: XRTCLimits
    private let keysByAccount: [String: [String]]
    private let monotonic: @Sendable () -> UInt64
    private let wallClock: @Sendable () -> Int64

    // The state below is reference types reached from a session, so that a
    // request hashes its token and portal ids once each and copies nothing.
    // All of it is guarded by `lock`.

    /// A login session: its account's portals, its key's limits, and how far it has read.
    private final class Session {
        let account: Account
        let key: KeyState
        var lastUsed: UInt64
        var cursors: [String: UInt64] = [:]  // portal → highest seq delivered or skipped

        init(account: Account, key: KeyState, lastUsed: UInt64) {
            self.account = account
            self.key = key
            self.lastUsed = lastUsed
        }
    }

    /// An account's portals.
    private final class Account {
        let id: String
        var portals: [String: Portal] = [:]

        init(id: String) { self.id = id }
    }

    /// What the limits count per API key.
    private final class KeyState {
        var active: [String: UInt64] = [:]  // portal → last use
        var logins = FIFO<UInt64>()
    }

    /// A portal's ring of newest items.
    private final class Portal {
        var ring: XRTCRing<XRTCItem>
        var count: UInt64 = 0

        init(ringSize: Int) { ring = XRTCRing(capacity: ringSize) }

        func append(portalID: String, payload: String, timestamp: Int64, seq: UInt64) {
            count += 1
            ring.append(XRTCItem(portalID: portalID, payload: payload, timestamp: timestamp, seq: seq, index: count))
        }
    }

    private struct Waiter {
        let account: String
        let portals: Set<String>?
        let notify: @Sendable () -> Void
    }

    private let lock = NSLock()
    private var sessions: [String: Session] = [:]
    private var accounts: [String: Account] = [:]
    private var keys: [String: KeyState] = [:]
    private var waiters: [Int: Waiter] = [:]
    private var nextWaiter = 0
    private var seq: UInt64 = 0
    private var lastPrune: UInt64 = 0

    public init(
        config: XRTCSectionConfig,
        monotonic: @escaping @Sendable () -> UInt64 = { DispatchTime.now().uptimeNanoseconds },
        wallClock: @escaping @Sendable () -> Int64 = { Int64(Message.now() / 1_000_000) }
    ) {
        limits = config.limits
        keysByAccount = Dictionary(config.accounts.map { ($0.id, $0.apiKeys) }, uniquingKeysWith: { a, _ in a })
        self.monotonic = monotonic
        self.wallClock = wallClock
    }

    /// Account ids, in config order is not kept: sorted.
    public var accountIDs: [String] { keysByAccount.keys.sorted() }

    /// The server time now, in ms.
    public var now: Int64 { wallClock() }

    // MARK: Login and sessions

    /// Checks the credentials and opens a session; returns its token (JSESSIONID) and the server time.
    public func login(accountID: String, apiKey: String) throws(XRTCError) -> (token: String, timestamp: Int64) {
        guard let keys = keysByAccount[accountID], let key = keys.first(where: { constantTimeEquals($0, apiKey) }) else {
            throw .credentials
        }
        let now = monotonic()
        let window = limits.loginWindow.nanoseconds
        let token = Self.newToken()
        try locked { () throws(XRTCError) in
            let state = keyState(key)
            while let first = state.logins.first, elapsed(first, now) >= window { _ = state.logins.popFirst() }
            guard state.logins.count < limits.loginsPerWindow else { throw .loginRate }
            state.logins.append(now)
            pruneSessions(now: now)
            sessions[token] = Session(account: account(accountID), key: state, lastUsed: now)
        }
        return (token, wallClock())
    }

    /// 128 random bits from the system's CSPRNG, as 32 hex digits.
    static func newToken() -> String {
        var rng = SystemRandomNumberGenerator()
        return (0..<2).map { _ in String(rng.next(), radix: 16).leftPadded(16) }.joined()
    }

    private func pruneSessions(now: UInt64) {
        let idle = limits.sessionIdle.nanoseconds
        guard elapsed(lastPrune, now) >= idle / 4 || sessions.count > 10_000 else { return }
        lastPrune = now
        sessions = sessions.filter { elapsed($0.value.lastUsed, now) <= idle }
    }

    /// The account's state, made on first use (under the lock).
    private func account(_ id: String) -> Account {
        if let account = accounts[id] { return account }
        let account = Account(id: id)
        accounts[id] = account
        return account
    }

    /// The API key's state, made on first use (under the lock).
    private func keyState(_ key: String) -> KeyState {
        if let state = keys[key] { return state }
        let state = KeyState()
        keys[key] = state
        return state
    }

    /// A live session, touched; 10011 when unknown or idle too long.
    private func touchSession(_ token: String, now: UInt64) throws(XRTCError) -> Session {
        guard let index = sessions.index(forKey: token) else { throw .session }
        let session = sessions.values[index]
        guard elapsed(session.lastUsed, now) <= limits.sessionIdle.nanoseconds else {
            sessions.remove(at: index)
            throw .session
        }
        session.lastUsed = max(session.lastUsed, now)
        return session
    }

    /// Marks portals active for a key; 30 when that would pass the active-portal limit.
    private func touchPortals<C: Collection<String>>(_ ids: C, key: KeyState, now: UInt64) throws(XRTCError) {
        try Self.touch(&key.active, ids, now: now, limits: limits)
    }

    private static func touch<C: Collection<String>>(
        _ mine: inout [String: UInt64], _ ids: C, now: UInt64, limits: XRTCLimits
    ) throws(XRTCError) {
        let window = limits.activePortalWindow.nanoseconds
        if ids.count == 1, let id = ids.first, let index = mine.index(forKey: id) {
            mine.values[index] = now  // the usual case: one portal, already active
            return
        }
        if ids.contains(where: { mine[$0] == nil }) {
            mine = mine.filter { elapsed($0.value, now) < window }
            for id in ids where mine[id] == nil && mine.count >= limits.activePortalsPerKey {
                throw .values("Invalid arguments: more than \(limits.activePortalsPerKey) active portals for this API key (portal '\(id)')")
            }
        }
        for id in ids { mine[id] = now }
    }

    // MARK: Set

    /// Stores items from a client session; returns the server time.
    public func set(token: String, items: [(portal: String, payload: String)]) throws(XRTCError) -> Int64 {
        let now = monotonic()
        let ts = wallClock()
        let notices: [@Sendable () -> Void] = try locked { () throws(XRTCError) -> [@Sendable () -> Void] in
            let s = try touchSession(token, now: now)
            // Repeated portals are harmless here: nothing is added while checking.
            try touchPortals(items.lazy.map(\.portal), key: s.key, now: now)
            return items.flatMap { store(account: s.account, portal: $0.portal, payload: $0.payload, timestamp: ts) }
        }
        deliver(notices)
        return ts
    }

    /// Stores an item from inside Junction (a hosted portal sink), without a session or limits but the ring.
    @discardableResult
    public func publish(account: String, portal: String, payload: String) -> XRTCItem {
        let ts = wallClock()
        var item: XRTCItem?
        let notices: [@Sendable () -> Void] = lock.withLock {
            let owner = self.account(account)
            let n = store(account: owner, portal: portal, payload: payload, timestamp: ts)
            item = owner.portals[portal]?.ring.last
            return n
        }
        deliver(notices)
        return item!
    }

    /// Appends to a ring (under the lock); returns the notifications to deliver.
    private func store(account: Account, portal id: String, payload: String, timestamp: Int64) -> [@Sendable () -> Void] {
        seq += 1
        let seq = self.seq
        let portal: Portal
        if let existing = account.portals[id] {
            portal = existing
        } else {
            portal = Portal(ringSize: limits.ringSize)
            account.portals[id] = portal
        }
        portal.append(portalID: id, payload: payload, timestamp: timestamp, seq: seq)
        var notices: [@Sendable () -> Void] = []
        for w in waiters.values where w.account == account.id && (w.portals == nil || w.portals!.contains(id)) {
            notices.append(w.notify)
        }
        return notices
    }

    /// Runs the notifications of a store, outside the lock. No hop through a
    /// queue of the hub's own: each `notify` already hops to its reader's queue,
    /// and a reader reads the hub's state, not the order of notifications.
    private func deliver(_ notices: [@Sendable () -> Void]) {
        for notify in notices { notify() }
    }

    // MARK: Get

    /// Returns what a get may deliver now, advancing the session's cursors.
    public func get(token: String, request: XRTCGetRequest) throws(XRTCError) -> [XRTCItem] {
        let now = monotonic()
        let wallNow = wallClock()
        return try locked { () throws(XRTCError) -> [XRTCItem] in
            let s = try touchSession(token, now: now)
            if !request.portals.isEmpty { try touchPortals(request.portals.map(\.id), key: s.key, now: now) }
            return collect(s, request, wallNow: wallNow)
        }
    }

    /// Calls `notify` (on the storing thread, outside the hub's lock) whenever a portal that
    /// `request` names gets an item, until `cancelWait`. Register before the
    /// first `get`, so nothing slips between them.
    public func addWaiter(token: String, request: XRTCGetRequest, notify: @escaping @Sendable () -> Void) throws(XRTCError) -> Int {
        let now = monotonic()
        return try locked { () throws(XRTCError) -> Int in
            let s = try touchSession(token, now: now)
            nextWaiter += 1
            waiters[nextWaiter] = Waiter(account: s.account.id, portals: request.portals.isEmpty ? nil : Set(request.portals.map(\.id)), notify: notify)
            return nextWaiter
        }
    }

    /// Forgets a waiter (its get answered or its client left).
    public func cancelWait(_ id: Int) { lock.withLock { waiters[id] = nil } }

    private func collect(_ s: Session, _ request: XRTCGetRequest, wallNow: Int64) -> [XRTCItem] {
        let accountPortals = s.account.portals
        let wanted: [(id: String, since: Int64?)] = request.portals.isEmpty ? accountPortals.keys.sorted().map { ($0, nil) } : request.portals
        var candidates: [XRTCItem] = []
        for (id, since) in wanted {
            guard let ring = accountPortals[id]?.ring else { continue }
            let cursor = s.cursors[id] ?? 0
            for item in ring where item.seq > cursor {
                if let since, item.timestamp <= since { continue }
                if request.cutoff >= 0, wallNow - item.timestamp > request.cutoff {
                    s.cursors[id] = max(s.cursors[id] ?? 0, item.seq)  // skipped by cutoff: never delivered
                    continue
                }
                candidates.append(item)
            }
        }
        candidates.sort { request.schedule == .fifo ? $0.seq < $1.seq : $0.seq > $1.seq }
        var size = 12  // {"items":[]}
        var out: [XRTCItem] = []
        for item in candidates {
            size += item.payload.utf8.count + item.portalID.utf8.count + 64
            if size > limits.maxResponse.bytes, !out.isEmpty { break }
            out.append(item)
        }
        if request.schedule == .lifo {
            // Newest first: what did not fit is older than what did, and LIFO may omit it.
            for item in candidates { s.cursors[item.portalID] = max(s.cursors[item.portalID] ?? 0, item.seq) }
        } else {
            for item in out { s.cursors[item.portalID] = max(s.cursors[item.portalID] ?? 0, item.seq) }
        }
        return out
    }

    // MARK: Hosted portals in routes

    /// Items of a portal after `index` (oldest first), for a hosted source reading at its own pace.
    public func items(account: String, portal: String, after index: UInt64) -> [XRTCItem] {
        lock.withLock { accounts[account]?.portals[portal]?.ring.filter { $0.index > index } ?? [] }
    }

    /// Calls `notify` (on the storing thread, outside the hub's lock) whenever `portal` of `account` gets an item.
    public func subscribe(account: String, portal: String, notify: @escaping @Sendable () -> Void) -> Int {
        lock.withLock {
            nextWaiter += 1
            waiters[nextWaiter] = Waiter(account: account, portals: [portal], notify: notify)
            return nextWaiter
        }
    }

    /// Runs `body` under the lock, keeping its typed error.
    private func locked<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// Constant-time comparison of two credentials.
    func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var diff = UInt8(truncatingIfNeeded: x.count ^ y.count)
        for i in 0..<max(x.count, y.count) {
            diff |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0)
        }
        return diff == 0
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}

/// Nanoseconds from `earlier` to `now`; 0 when `now` is older. Clock readings
/// are taken before the hub's lock, so another request may have stored a
/// later one meanwhile: a wrapping subtraction would make a session look
/// idle for centuries.
@inline(__always)
func elapsed(_ earlier: UInt64, _ now: UInt64) -> UInt64 {
    now > earlier ? now - earlier : 0
}
