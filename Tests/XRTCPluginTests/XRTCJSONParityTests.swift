import Foundation
import JunctionJSON
import Testing
@testable import XRTCPlugin

// The Foundation-based reading of request and answer bodies as it was before
// JSONValue (copied unchanged but for the names), to check the new one
// against: same results, same error codes and messages.

/// JSON reading as it was (JSONSerialization, NSNumber bridging).
enum LegacyXRTCJSON {
    /// Parses a request body; a body that is empty or only whitespace is `[:]`.
    static func object(_ body: [UInt8]) throws(XRTCError) -> [String: Any] {
        if body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return [:] }
        guard let value = try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]) else {
            throw .values("Invalid arguments: the body is not valid JSON")
        }
        guard let object = value as? [String: Any] else { throw .values("Invalid arguments: the body must be a JSON object") }
        return object
    }

    /// Throws errorcode 20 naming the first key not in `allowed`.
    static func checkNames(_ object: [String: Any], allowed: Set<String>, in place: String) throws(XRTCError) {
        if let bad = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw .names("Invalid arguments: unknown argument '\(bad)' in \(place)")
        }
    }

    /// Whether a parsed JSON value is `true` or `false` (Foundation boxes them as NSNumber).
    static func isBool(_ value: Any) -> Bool {
        guard let n = value as? NSNumber else { return false }
        return String(cString: n.objCType) == "c"
    }

    /// An integer, accepting JSON numbers without a fraction.
    static func integer(_ value: Any) -> Int64? {
        guard let n = value as? NSNumber, !isBool(value) else { return nil }
        let d = n.doubleValue
        guard d.rounded() == d, abs(d) < 9.0e15 else { return nil }
        return Int64(d)
    }

}

/// The request checks as they were.
enum LegacyXRTCRequests {
    /// `{"accountid": "…", "apikey": "…"}`; every mistake is errorcode 30 (the login's "invalid arguments").
    static func login(_ body: [UInt8]) throws(XRTCError) -> (account: String, key: String) {
        let o = try LegacyXRTCJSON.object(body)
        if let bad = o.keys.sorted().first(where: { $0 != "accountid" && $0 != "apikey" }) {
            throw .values("Invalid arguments: unknown argument '\(bad)'")
        }
        guard let account = o["accountid"] as? String, let key = o["apikey"] as? String else {
            throw .values("Invalid arguments: accountid and apikey must be strings")
        }
        return (account, key)
    }

    /// `{"items":[{"portalid","payload"},…]}`: the first `itemsPerSet` items, checked.
    static func set(_ body: [UInt8], limits: XRTCLimits) throws(XRTCError) -> [(portal: String, payload: String)] {
        let o = try LegacyXRTCJSON.object(body)
        try LegacyXRTCJSON.checkNames(o, allowed: ["items"], in: "item/set")
        guard let raw = o["items"] else { throw .names("Invalid arguments: 'items' is required") }
        guard let list = raw as? [Any] else { throw .values("Invalid arguments: 'items' must be a list") }
        var items: [(portal: String, payload: String)] = []
        var bytes = 0
        for (i, element) in list.prefix(limits.itemsPerSet).enumerated() {
            guard let item = element as? [String: Any] else { throw .values("Invalid arguments: items[\(i)] must be an object") }
            try LegacyXRTCJSON.checkNames(item, allowed: ["portalid", "payload", "servertimestamp"], in: "items[\(i)]")
            let portal = try portalID(item["portalid"], limits: limits, at: "items[\(i)]")
            guard let payload = item["payload"] as? String else {
                throw item["payload"] == nil ? .names("Invalid arguments: items[\(i)].payload is required") : .values("Invalid arguments: items[\(i)].payload must be a string")
            }
            if let ts = item["servertimestamp"], LegacyXRTCJSON.integer(ts) == nil {
                throw .values("Invalid arguments: items[\(i)].servertimestamp must be an integer")
            }
            bytes += payload.utf8.count
            items.append((portal, payload))
        }
        if bytes > limits.payloadBytesPerRequest {
            throw .names("Invalid arguments: payload size \(bytes) bytes exceeds \(limits.payloadBytesPerRequest) bytes per request")
        }
        return items
    }

    /// `{"portals":[{"portalid","servertimestamp"?}], "mode", "schedule", "cutoff"}`; an empty body asks for every portal.
    static func get(_ body: [UInt8], limits: XRTCLimits) throws(XRTCError) -> XRTCGetRequest {
        let o = try LegacyXRTCJSON.object(body)
        try LegacyXRTCJSON.checkNames(o, allowed: ["portals", "mode", "schedule", "cutoff"], in: "item/get")
        var request = XRTCGetRequest()
        if let raw = o["portals"] {
            guard let list = raw as? [Any] else { throw .values("Invalid arguments: 'portals' must be a list") }
            for (i, element) in list.enumerated() {
                guard let p = element as? [String: Any] else { throw .values("Invalid arguments: portals[\(i)] must be an object") }
                try LegacyXRTCJSON.checkNames(p, allowed: ["portalid", "servertimestamp"], in: "portals[\(i)]")
                let id = try portalID(p["portalid"], limits: limits, at: "portals[\(i)]")
                var since: Int64?
                if let ts = p["servertimestamp"] {
                    guard let n = LegacyXRTCJSON.integer(ts), n >= 0 else { throw .values("Invalid arguments: portals[\(i)].servertimestamp must be a non-negative integer") }
                    since = n == 0 ? nil : n
                }
                if !request.portals.contains(where: { $0.id == id }) { request.portals.append((id, since)) }
            }
        }
        if let raw = o["mode"] {
            guard let s = raw as? String, let mode = XRTCGetRequest.Mode(rawValue: s) else {
                throw .values("Invalid arguments: mode must be probe, watch or stream")
            }
            request.mode = mode
        }
        if let raw = o["schedule"] {
            guard let s = raw as? String, let schedule = XRTCGetRequest.Schedule(rawValue: s) else {
                throw .values("Invalid arguments: schedule must be LIFO or FIFO")
            }
            request.schedule = schedule
        }
        if let raw = o["cutoff"] {
            guard let n = LegacyXRTCJSON.integer(raw), n >= -1 else { throw .values("Invalid arguments: cutoff must be an integer of -1 or more") }
            request.cutoff = n
        }
        return request
    }

    private static func portalID(_ value: Any?, limits: XRTCLimits, at place: String) throws(XRTCError) -> String {
        guard let value else { throw .names("Invalid arguments: \(place).portalid is required") }
        guard let id = value as? String, !id.isEmpty, id.count <= limits.portalIDLength else {
            throw .values("Invalid arguments: \(place).portalid must be a string of 1 to \(limits.portalIDLength) characters")
        }
        return id
    }
}

/// The client's answer reading as it was.
enum LegacyXRTCClient {
    static func apiError(_ status: Int, _ body: [UInt8]) -> XRTCClientError {
        guard let object = try? LegacyXRTCJSON.object(body), let error = object["error"] as? [String: Any],
              let code = error["errorcode"].flatMap(LegacyXRTCJSON.integer) else {
            return .badResponse("HTTP \(status) without an XRTC error body")
        }
        return .api(code: Int(code), status: status, message: error["errormessage"] as? String ?? "")
    }

    /// `{"items":[{"portalid","payload","servertimestamp"}, …]}`.
    static func items(_ body: [UInt8]) throws(XRTCClientError) -> [XRTCRemoteItem] {
        let object: [String: Any]
        do { object = try LegacyXRTCJSON.object(body) } catch { throw .badResponse("not a JSON object") }
        guard let raw = object["items"] as? [Any] else { throw .badResponse("no items array") }
        var items: [XRTCRemoteItem] = []
        items.reserveCapacity(raw.count)
        for entry in raw {
            guard let item = entry as? [String: Any], let portal = item["portalid"] as? String,
                  let payload = item["payload"] as? String else { throw .badResponse("an item without portalid or payload") }
            let timestamp = item["servertimestamp"].flatMap(LegacyXRTCJSON.integer) ?? 0
            items.append(XRTCRemoteItem(portalID: portal, payload: payload, timestamp: timestamp))
        }
        return items
    }
}

/// The JSONValue-based reading against the Foundation-based one it replaced:
/// every body gives the same result, or the same error code, status and message.
@Suite struct XRTCJSONParityTests {
    let limits = XRTCLimits()

    /// What each reader makes of `body`, as UTF-8 (so strings compare scalar by scalar).
    func outcomes(_ body: [UInt8]) -> (old: [[UInt8]], new: [[UInt8]]) {
        func run(_ f: () throws -> String) -> [UInt8] {
            do { return Array(("ok " + (try f())).utf8) } catch let e as XRTCError {
                return Array("error \(e.group) \(e.code) \(e.status) \(e.message)".utf8)
            } catch { return Array("other \(error)".utf8) }
        }
        func login(_ r: (account: String, key: String)) -> String { r.account.debugDescription + " " + r.key.debugDescription }
        func set(_ r: [(portal: String, payload: String)]) -> String { r.map { $0.portal.debugDescription + "=" + $0.payload.debugDescription }.joined(separator: ",") }
        func get(_ r: XRTCGetRequest) -> String {
            r.portals.map { "\($0.id.debugDescription)@\($0.since.map(String.init) ?? "-")" }.joined(separator: ",") + " \(r.mode) \(r.schedule) \(r.cutoff)"
        }
        let old = [
            run { login(try LegacyXRTCRequests.login(body)) },
            run { set(try LegacyXRTCRequests.set(body, limits: limits)) },
            run { get(try LegacyXRTCRequests.get(body, limits: limits)) },
            run { "\(try LegacyXRTCClient.items(body))" },
            run { "\(LegacyXRTCClient.apiError(418, body))" },
        ]
        let new = [
            run { login(try XRTCRequests.login(body)) },
            run { set(try XRTCRequests.set(body, limits: limits)) },
            run { get(try XRTCRequests.get(body, limits: limits)) },
            run { "\(try XRTCClient.items(body))" },
            run { "\(XRTCClient.apiError(418, body))" },
        ]
        return (old, new)
    }

    func expectSame(_ body: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        let (old, new) = outcomes(body)
        for i in old.indices where old[i] != new[i] {
            Issue.record("""
                \(["login", "set", "get", "items", "apiError"][i]) differs for \(String(decoding: body, as: UTF8.self).debugDescription)
                  was: \(String(decoding: old[i], as: UTF8.self))
                  now: \(String(decoding: new[i], as: UTF8.self))
                """, sourceLocation: sourceLocation)
        }
    }

    @Test func handPickedBodies() {
        let bodies = [
            "", " \n\t\r", "{}", "[]", "[1]", "5", "\"x\"", "null", "true", "not json", "{", "{\"a\":1}}", "[1,]",
            #"{"accountid":"AC1","apikey":"k"}"#, #"{"accountid":"AC1","apikey":"k",}"#, "\u{FEFF}{\"accountid\":\"AC1\",\"apikey\":\"k\"}",
            #"{"accountid":"AC1","apikey":5}"#, #"{"accountid":"AC1","apikey":true}"#, #"{"accountid":"AC1","apikey":null}"#,
            #"{"accountid":"AC1","apikey":"k","accountid":"AC2"}"#, #"{"accountid":"AC1","apikey":"k","apikey":7}"#,
            #"{"accountid":"AC1","apikey":"k","x":1,"b":2,"é":3}"#, "{\"e\u{301}\":1,\"\u{E9}\":2,\"items\":[]}",
            "{\"\u{E9}\":1,\"e\u{301}\":2,\"items\":[]}", #"{"\u0069tems":[{"portalid":"p","payload":"x"}]}"#,
            #"{"items":[{"portalid":"p","payload":"x"}]}"#, #"{"items":[{"portalid":"p","payload":"x"},]}"#,
            #"{"items":[{"portalid":"p","payload":"x","servertimestamp":null}]}"#,
            #"{"items":[{"portalid":null,"payload":"x"}]}"#, #"{"items":[{"payload":"x"}]}"#, #"{"items":[{"portalid":"p"}]}"#,
            #"{"items":[{"portalid":"p","payload":null}]}"#, #"{"items":[{"portalid":"p","payload":"x","servertimestamp":1.0}]}"#,
            #"{"items":[{"portalid":"p","payload":"x","servertimestamp":true}]}"#, #"{"items":[{"portalid":"p","payload":"x","servertimestamp":9e15}]}"#,
            #"{"items":[{"portalid":"p","payload":"x","servertimestamp":8999999999999999}]}"#,
            #"{"items":[{"portalid":"p","payload":"x","servertimestamp":91687.999999999999999999991}]}"#,
            #"{"items":[{"portalid":"p","payload":"x","servertimestamp":-0}]}"#, #"{"items":[1,{"portalid":"p","payload":"x"}]}"#,
            #"{"items":[{"portalid":"😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀","payload":"x"}]}"#,
            #"{"items":[{"portalid":"😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀","payload":"x"}]}"#,
            "{\"items\":[{\"portalid\":\"\u{FEFF}p\",\"payload\":\"\u{FEFF}\"}]}", #"{"items":[{"portalid":"\uFEFFp","payload":"\ud83d\ude00"}]}"#,
            #"{"items":"x"}"#, #"{"items":{}}"#, #"{"items":null}"#, #"{"item":[]}"#,
            #"{"portals":[{"portalid":"a","servertimestamp":7}],"mode":"stream","schedule":"FIFO","cutoff":500}"#,
            #"{"portals":[{"portalid":"a"},{"portalid":"a","servertimestamp":3}],"mode":"watch"}"#,
            #"{"portals":[{"portalid":"a","servertimestamp":0}]}"#, #"{"portals":[{"portalid":"a","servertimestamp":-1}]}"#,
            #"{"cutoff":-1}"#, #"{"cutoff":-2}"#, #"{"cutoff":1.5}"#, #"{"cutoff":"5"}"#, #"{"cutoff":1e2}"#, #"{"cutoff":-0.0}"#,
            #"{"mode":"poll"}"#, #"{"mode":null}"#, #"{"schedule":"lifo"}"#, #"{"mode":"probe","mode":"watch"}"#,
            #"{"items":[{"portalid":"p","payload":"x","servertimestamp":17}]}"#, #"{"items":[{"portalid":"p","payload":"x","servertimestamp":"17"}]}"#,
            #"{"error":{"errorgroup":2,"errorcode":10011,"errormessage":"Server session denied"}}"#,
            #"{"error":{"errorcode":35}}"#, #"{"error":{"errorcode":35.5,"errormessage":"x"}}"#, #"{"error":{"errorcode":true}}"#,
            #"{"error":{"errorcode":20,"errormessage":5}}"#, #"{"error":[]}"#,
        ]
        for body in bodies { expectSame(Array(body.utf8)) }
        // Encodings only Foundation reads.
        expectSame([0xFF, 0xFE] + Array(#"{"accountid":"AC1","apikey":"k"}"#.utf8).flatMap { [$0, 0] })
        expectSame(Array(#"{"accountid":"AC1","apikey":"k"}"#.utf8).flatMap { [0, $0] })
        expectSame([0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D])
    }

    @Test func randomBodies() {
        var rng = ParityRandom(seed: 20_240_601)
        for _ in 0..<4000 {
            expectSame(Array(rng.body().utf8))
        }
    }
}

/// Bodies made of the XRTC names and values, with the JSON corners mixed in.
struct ParityRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func pick(_ options: [String]) -> String { options[below(options.count)] }

    static let names = [
        "accountid", "apikey", "items", "portals", "mode", "schedule", "cutoff", "portalid", "payload", "servertimestamp",
        "error", "errorcode", "errormessage", "item", "x", "Items", "é", "e\u{301}", "\\u0069tems", "b", "zz",
    ]
    static let scalars = [
        "\"AC1\"", "\"k\"", "\"p\"", "\"\"", "\"1234567890123456\"", "\"12345678901234567\"", "\"probe\"", "\"watch\"",
        "\"stream\"", "\"LIFO\"", "\"FIFO\"", "\"lifo\"", "\"😀\"", "\"\u{FEFF}p\"", "\"\\uFEFFp\"", "\"\\u00e9\"", "\"a\\\"b\"",
        "0", "-0", "7", "-1", "-2", "1.5", "1.0", "1e2", "9e15", "8999999999999999", "-8999999999999999", "1e300",
        "1.0000000000000000001", "91687.999999999999999999991", "12345678901234567890", "0.1234567890123456",
        "true", "false", "null",
    ]

    mutating func value(depth: Int) -> String {
        switch depth > 2 ? 0 : below(6) {
        case 0, 1, 2: return pick(Self.scalars)
        case 3: return "[" + (0..<below(3)).map { _ in value(depth: depth + 1) }.joined(separator: ",") + "]"
        case 4: return "[" + (0..<below(4)).map { _ in item() }.joined(separator: ",") + "]"
        default: return object(depth: depth + 1)
        }
    }

    mutating func item() -> String {
        var members: [String] = []
        if below(8) != 0 { members.append("\"portalid\":" + pick(["\"p\"", "\"q\"", "\"\"", "7", "null", "\"12345678901234567\""])) }
        if below(8) != 0 { members.append("\"payload\":" + pick(["\"x\"", "\"\"", "5", "null", "\"\u{FEFF}y\"", "\"é\""])) }
        if below(3) == 0 { members.append("\"servertimestamp\":" + pick(Self.scalars)) }
        if below(10) == 0 { members.append("\"" + pick(Self.names) + "\":" + pick(Self.scalars)) }
        return "{" + members.shuffled(using: &self).joined(separator: ",") + "}"
    }

    mutating func object(depth: Int) -> String {
        let members = (0..<below(5)).map { _ in "\"" + pick(Self.names) + "\":" + value(depth: depth) }
        return "{" + members.joined(separator: ",") + (below(25) == 0 && !members.isEmpty ? "," : "") + "}"
    }

    mutating func body() -> String {
        var text: String
        switch below(12) {
        case 0: text = "{\"accountid\":" + pick(Self.scalars) + ",\"apikey\":" + pick(Self.scalars) + (below(3) == 0 ? ",\"" + pick(Self.names) + "\":1" : "") + "}"
        case 1, 2: text = "{\"items\":[" + (0..<below(12)).map { _ in item() }.joined(separator: ",") + "]}"
        case 3: text = "{\"portals\":[" + (0..<below(4)).map { _ in item() }.joined(separator: ",") + "],\"mode\":" + pick(Self.scalars) + "}"
        case 4: text = "{\"error\":{\"errorcode\":" + pick(Self.scalars) + ",\"errormessage\":" + pick(Self.scalars) + "}}"
        case 5: text = value(depth: 0)
        default: text = object(depth: 0)
        }
        if below(30) == 0 { text = "\u{FEFF}" + text }
        if below(10) == 0 { text = " \n" + text + "\t" }
        if below(15) == 0, !text.isEmpty {  // break it
            var bytes = Array(text.utf8)
            let noise = Array(#"{}[],:" 0-"#.utf8)
            bytes[below(bytes.count)] = noise[below(noise.count)]
            text = String(decoding: bytes, as: UTF8.self)
        }
        return text
    }
}

extension ParityRandom: RandomNumberGenerator {}
