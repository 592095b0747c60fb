import Foundation
import Testing
@testable import Junction
@testable import XRTCPlugin

final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var mono: UInt64 = 1_000_000_000
    private var wall: Int64 = 1_700_000_000_000
    var monotonic: UInt64 { lock.withLock { mono } }
    var wallMS: Int64 { lock.withLock { wall } }
    func advance(seconds: Double) {
        lock.withLock {
            if seconds >= 0 { mono += UInt64(seconds * 1e9) } else { mono -= UInt64(-seconds * 1e9) }
            wall += Int64(seconds * 1000)
        }
    }
}

func makeHub(keys: [String] = ["key-a", "key-b"], limits: XRTCLimits = XRTCLimits(), clock: TestClock = TestClock()) -> XRTCHub {
    var account = XRTCAccountConfig()
    account.id = "AC1"
    account.apiKeys = keys
    var config = XRTCSectionConfig()
    config.accounts = [account]
    config.limits = limits
    return XRTCHub(config: config, monotonic: { clock.monotonic }, wallClock: { clock.wallMS })
}

func body(_ s: String) -> [UInt8] { Array(s.utf8) }

func get(_ hub: XRTCHub, _ token: String, _ json: String) throws -> [XRTCItem] {
    try hub.get(token: token, request: XRTCRequests.get(body(json), limits: hub.limits))
}

func set(_ hub: XRTCHub, _ token: String, _ json: String) throws {
    _ = try hub.set(token: token, items: XRTCRequests.set(body(json), limits: hub.limits))
}

func expectXRTCError(_ code: Int, status: Int? = nil, _ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        try body()
        Issue.record("expected error \(code)", sourceLocation: sourceLocation)
    } catch let e as XRTCError {
        #expect(e.code == code, "\(e.message)", sourceLocation: sourceLocation)
        if let status { #expect(e.status == status, sourceLocation: sourceLocation) }
    } catch {
        Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
    }
}

@Suite struct XRTCHubTests {
    @Test func loginChecksCredentialsAndIssuesRandomTokens() throws {
        let hub = makeHub()
        let a = try hub.login(accountID: "AC1", apiKey: "key-a")
        let b = try hub.login(accountID: "AC1", apiKey: "key-b")
        #expect(a.token.count == 32 && a.token.allSatisfy(\.isHexDigit))
        #expect(a.token != b.token)
        #expect(a.timestamp == 1_700_000_000_000)
        expectXRTCError(35, status: 401) { _ = try hub.login(accountID: "AC1", apiKey: "key-c") }
        expectXRTCError(35, status: 401) { _ = try hub.login(accountID: "AC2", apiKey: "key-a") }
        expectXRTCError(35) { _ = try hub.login(accountID: "AC1", apiKey: "key-") }
    }

    @Test func loginRateLimitIsASlidingWindowPerKey() throws {
        let clock = TestClock()
        let hub = makeHub(clock: clock)
        for _ in 0..<10 {
            _ = try hub.login(accountID: "AC1", apiKey: "key-a")
            clock.advance(seconds: 0.5)
        }
        expectXRTCError(45, status: 429) { _ = try hub.login(accountID: "AC1", apiKey: "key-a") }
        _ = try hub.login(accountID: "AC1", apiKey: "key-b")  // another key is not limited
        clock.advance(seconds: 5.1)  // the first login leaves the 10 s window
        _ = try hub.login(accountID: "AC1", apiKey: "key-a")
        // Once a second never hits the limit.
        for _ in 0..<30 {
            clock.advance(seconds: 1)
            _ = try hub.login(accountID: "AC1", apiKey: "key-b")
        }
    }

    @Test func sessionsExpireAfterSixtySecondsIdle() throws {
        let clock = TestClock()
        let hub = makeHub(clock: clock)
        let s = try hub.login(accountID: "AC1", apiKey: "key-a").token
        clock.advance(seconds: 59)
        #expect(try get(hub, s, "").isEmpty)  // use keeps it alive
        clock.advance(seconds: 59)
        #expect(try get(hub, s, "").isEmpty)
        clock.advance(seconds: 61)
        expectXRTCError(10011, status: 401) { _ = try get(hub, s, "") }
        expectXRTCError(10011) { _ = try get(hub, "forged", "") }
    }

    /// Concurrent requests read the clock before taking the hub's lock, so a
    /// request may arrive with a reading older than the session's last use.
    @Test func anOlderClockReadingDoesNotExpireASession() throws {
        let clock = TestClock()
        let hub = makeHub(clock: clock)
        let s = try hub.login(accountID: "AC1", apiKey: "key-a").token
        clock.advance(seconds: 1)
        #expect(try get(hub, s, "").isEmpty)
        clock.advance(seconds: -0.001)
        #expect(try get(hub, s, "").isEmpty)
        clock.advance(seconds: 0.002)
        #expect(try get(hub, s, "").isEmpty)
    }

    @Test func probeDeliversEachItemOncePerSessionLIFOByDefault() throws {
        let clock = TestClock()
        let hub = makeHub(clock: clock)
        let writer = try hub.login(accountID: "AC1", apiKey: "key-a").token
        let reader = try hub.login(accountID: "AC1", apiKey: "key-b").token
        let other = try hub.login(accountID: "AC1", apiKey: "key-b").token
        try set(hub, writer, #"{"items":[{"portalid":"p","payload":"1"},{"portalid":"p","payload":"2"}]}"#)
        clock.advance(seconds: 0.01)
        try set(hub, writer, #"{"items":[{"portalid":"p","payload":"3"}]}"#)
        #expect(try get(hub, reader, #"{"portals":[{"portalid":"p"}]}"#).map(\.payload) == ["3", "2", "1"])
        #expect(try get(hub, reader, #"{"portals":[{"portalid":"p"}]}"#).isEmpty)
        #expect(try get(hub, other, #"{"portals":[{"portalid":"p"}],"schedule":"FIFO"}"#).map(\.payload) == ["1", "2", "3"])
        try set(hub, writer, #"{"items":[{"portalid":"p","payload":"4"}]}"#)
        #expect(try get(hub, reader, #"{"portals":[{"portalid":"p"}]}"#).map(\.payload) == ["4"])
        #expect(try get(hub, reader, #"{"portals":[{"portalid":"nope"}]}"#).isEmpty)
    }

    @Test func ringKeepsTheTenNewestAndASetUsesItsFirstTen() throws {
        let hub = makeHub()
        let s = try hub.login(accountID: "AC1", apiKey: "key-a").token
        let twelve = (1...12).map { #"{"portalid":"p","payload":"\#($0)"}"# }.joined(separator: ",")
        try set(hub, s, #"{"items":[\#(twelve)]}"#)
        #expect(try get(hub, s, #"{"portals":[{"portalid":"p"}],"schedule":"FIFO"}"#).map(\.payload) == (1...10).map(String.init))
        for i in 11...15 { try set(hub, s, #"{"items":[{"portalid":"q","payload":"\#(i)"}]}"#) }
        for i in 1...10 { try set(hub, s, #"{"items":[{"portalid":"q","payload":"\#(i)"}]}"#) }
        let q = try get(hub, s, #"{"portals":[{"portalid":"q"}],"schedule":"FIFO"}"#)
        #expect(q.map(\.payload) == (1...10).map(String.init))
        #expect(q.map(\.index) == Array(6...15))
    }

    @Test func payloadLimitIsPerRequestAndStoresNothing() throws {
        let hub = makeHub()
        let s = try hub.login(accountID: "AC1", apiKey: "key-a").token
        let half = String(repeating: "x", count: 512)
        try set(hub, s, #"{"items":[{"portalid":"p","payload":"\#(half)"},{"portalid":"p","payload":"\#(half)"}]}"#)
        expectXRTCError(20, status: 400) {
            try set(hub, s, #"{"items":[{"portalid":"p","payload":"\#(half)"},{"portalid":"p","payload":"\#(half)x"}]}"#)
        }
        #expect(try get(hub, s, #"{"portals":[{"portalid":"p"}]}"#).count == 2)
        // Multi-byte characters count in UTF-8 bytes: 342 × 3 bytes > 1024.
        expectXRTCError(20) { try set(hub, s, #"{"items":[{"portalid":"p","payload":"\#(String(repeating: "€", count: 342))"}]}"#) }
    }

    @Test func activePortalsPerKeyAreLimitedWithinTheWindow() throws {
        let clock = TestClock()
        let hub = makeHub(clock: clock)
        let a = try hub.login(accountID: "AC1", apiKey: "key-a").token
        let b = try hub.login(accountID: "AC1", apiKey: "key-b").token
        for i in 0..<10 { try set(hub, a, #"{"items":[{"portalid":"p\#(i)","payload":"x"}]}"#) }
        expectXRTCError(30, status: 400) { try set(hub, a, #"{"items":[{"portalid":"p10","payload":"x"}]}"#) }
        expectXRTCError(30) { _ = try get(hub, a, #"{"portals":[{"portalid":"p11"}]}"#) }
        try set(hub, a, #"{"items":[{"portalid":"p3","payload":"again"}]}"#)  // an active one is fine
        try set(hub, b, #"{"items":[{"portalid":"p10","payload":"x"}]}"#)  // another key has its own count
        clock.advance(seconds: 30)
        _ = try get(hub, a, "")  // keep the session alive
        clock.advance(seconds: 31)
        try set(hub, a, #"{"items":[{"portalid":"p10","payload":"x"}]}"#)
    }

    @Test func cutoffSkipsOldItemsForGoodAndSinceFilters() throws {
        let clock = TestClock()
        let hub = makeHub(clock: clock)
        let s = try hub.login(accountID: "AC1", apiKey: "key-a").token
        try set(hub, s, #"{"items":[{"portalid":"p","payload":"old"}]}"#)
        let oldTime = clock.wallMS
        clock.advance(seconds: 1)
        try set(hub, s, #"{"items":[{"portalid":"p","payload":"new"}]}"#)
        let r = try hub.login(accountID: "AC1", apiKey: "key-b").token
        #expect(try get(hub, r, #"{"portals":[{"portalid":"p"}],"cutoff":500}"#).map(\.payload) == ["new"])
        #expect(try get(hub, r, #"{"portals":[{"portalid":"p"}]}"#).isEmpty)  // the skipped one never comes back
        let r2 = try hub.login(accountID: "AC1", apiKey: "key-b").token
        #expect(try get(hub, r2, #"{"portals":[{"portalid":"p","servertimestamp":\#(oldTime)}]}"#).map(\.payload) == ["new"])
    }

    @Test func emptyGetMeansEveryPortalOfTheAccount() throws {
        let hub = makeHub()
        let s = try hub.login(accountID: "AC1", apiKey: "key-a").token
        try set(hub, s, #"{"items":[{"portalid":"a","payload":"1"},{"portalid":"b","payload":"2"}]}"#)
        #expect(Set(try get(hub, s, "").map(\.payload)) == ["1", "2"])
        try set(hub, s, #"{"items":[{"portalid":"a","payload":"3"}]}"#)
        #expect(try get(hub, s, #"{"portals":[]}"#).map(\.payload) == ["3"])
    }

    @Test func waitersHearAboutNewItemsOfTheirPortals() throws {
        let hub = makeHub()
        let s = try hub.login(accountID: "AC1", apiKey: "key-a").token
        let heard = DispatchSemaphore(value: 0)
        let id = try hub.addWaiter(token: s, request: XRTCRequests.get(body(#"{"portals":[{"portalid":"w"}]}"#), limits: hub.limits)) { heard.signal() }
        try set(hub, s, #"{"items":[{"portalid":"other","payload":"x"}]}"#)
        try set(hub, s, #"{"items":[{"portalid":"w","payload":"y"}]}"#)
        #expect(heard.wait(timeout: .now() + 5) == .success)
        #expect(heard.wait(timeout: .now() + 0.1) == .timedOut)  // only one notice: "other" is not watched
        hub.cancelWait(id)
        try set(hub, s, #"{"items":[{"portalid":"w","payload":"z"}]}"#)
        #expect(heard.wait(timeout: .now() + 0.2) == .timedOut)
    }

    @Test func publishAndReadForHostedPortals() {
        let hub = makeHub()
        hub.publish(account: "AC1", portal: "cams", payload: "a")
        let b = hub.publish(account: "AC1", portal: "cams", payload: "b")
        #expect(b.index == 2)
        #expect(hub.items(account: "AC1", portal: "cams", after: 1).map(\.payload) == ["b"])
    }
}

@Suite struct XRTCRequestTests {
    let limits = XRTCLimits()

    @Test func loginBodies() throws {
        #expect(try XRTCRequests.login(body(#"{"accountid":"AC1","apikey":"k"}"#)) == ("AC1", "k"))
        expectXRTCError(30, status: 400) { _ = try XRTCRequests.login(body("not json")) }
        expectXRTCError(30) { _ = try XRTCRequests.login(body(#"{"accountid":"AC1"}"#)) }
        expectXRTCError(30) { _ = try XRTCRequests.login(body(#"{"accountid":"AC1","apikey":5}"#)) }
        expectXRTCError(30) { _ = try XRTCRequests.login(body(#"{"accountid":"AC1","apikey":"k","x":1}"#)) }
        expectXRTCError(30) { _ = try XRTCRequests.login(body("[1]")) }
    }

    @Test func setBodies() throws {
        expectXRTCError(20) { _ = try XRTCRequests.set(body(#"{"item":[]}"#), limits: limits) }
        expectXRTCError(20) { _ = try XRTCRequests.set(body(#"{}"#), limits: limits) }
        expectXRTCError(20) { _ = try XRTCRequests.set(body(#"{"items":[{"portalid":"p","payload":"x","extra":1}]}"#), limits: limits) }
        expectXRTCError(30) { _ = try XRTCRequests.set(body(#"{"items":{}}"#), limits: limits) }
        expectXRTCError(30) { _ = try XRTCRequests.set(body(#"{"items":[{"portalid":"p","payload":5}]}"#), limits: limits) }
        expectXRTCError(30) { _ = try XRTCRequests.set(body(#"{"items":[{"portalid":"12345678901234567","payload":"x"}]}"#), limits: limits) }
        expectXRTCError(30) { _ = try XRTCRequests.set(body(#"{"items":[{"portalid":"","payload":"x"}]}"#), limits: limits) }
        expectXRTCError(30) { _ = try XRTCRequests.set(body(#"{"items":[{"portalid":"p","payload":"x","servertimestamp":"now"}]}"#), limits: limits) }
        let ok = try XRTCRequests.set(body(#"{"items":[{"portalid":"1234567890123456","payload":"x","servertimestamp":5}]}"#), limits: limits)
        #expect(ok.map(\.portal) == ["1234567890123456"])
    }

    @Test func getBodies() throws {
        #expect(try XRTCRequests.get(body(""), limits: limits) == XRTCGetRequest())
        let r = try XRTCRequests.get(body(#"{"portals":[{"portalid":"a","servertimestamp":7}],"mode":"stream","schedule":"FIFO","cutoff":500}"#), limits: limits)
        #expect(r.portals.map(\.id) == ["a"] && r.portals[0].since == 7 && r.mode == .stream && r.schedule == .fifo && r.cutoff == 500)
        expectXRTCError(20) { _ = try XRTCRequests.get(body(#"{"portal":[]}"#), limits: limits) }
        expectXRTCError(30) { _ = try XRTCRequests.get(body(#"{"mode":"poll"}"#), limits: limits) }
        expectXRTCError(30) { _ = try XRTCRequests.get(body(#"{"schedule":"lifo"}"#), limits: limits) }
        expectXRTCError(30) { _ = try XRTCRequests.get(body(#"{"cutoff":1.5}"#), limits: limits) }
        expectXRTCError(30) { _ = try XRTCRequests.get(body(#"{"cutoff":-2}"#), limits: limits) }
        expectXRTCError(30) { _ = try XRTCRequests.get(body(#"{"cutoff":true}"#), limits: limits) }
        expectXRTCError(30) { _ = try XRTCRequests.get(body(#"{"portals":"a"}"#), limits: limits) }
    }

    @Test func responseBodiesEscape() {
        let item = XRTCItem(portalID: "p", payload: "a\"b\\c\n\u{1}", timestamp: 5, seq: 1, index: 1)
        let text = String(decoding: XRTCRequests.itemsBody([item]), as: UTF8.self)
        #expect(text == #"{"items":[{"portalid":"p","payload":"a\"b\\c\n\u0001","servertimestamp":5}]}"#)
        let parsed = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: [[String: Any]]]
        #expect(parsed?["items"]?.first?["payload"] as? String == "a\"b\\c\n\u{1}")
        #expect(String(decoding: XRTCError.session.body, as: UTF8.self) == #"{"error":{"errorgroup":2,"errorcode":10011,"errormessage":"Server session denied"}}"#)
    }
}
