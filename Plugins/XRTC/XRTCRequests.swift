import JunctionJSON

/// Reading and checking the three request bodies of the XRTC API.
enum XRTCRequests {
    private static let setNames = ["items"]
    private static let setItemNames = ["portalid", "payload", "servertimestamp"]
    private static let getNames = ["portals", "mode", "schedule", "cutoff"]
    private static let getPortalNames = ["portalid", "servertimestamp"]

    /// `{"accountid": "…", "apikey": "…"}`; every mistake is errorcode 30 (the login's "invalid arguments").
    static func login(_ body: [UInt8]) throws(XRTCError) -> (account: String, key: String) {
        let o = try XRTCJSON.object(body)
        if let bad = XRTCJSON.firstUnknownKey(o, allowed: { $0 == "accountid" || $0 == "apikey" }) {
            throw .values("Invalid arguments: unknown argument '\(bad)'")
        }
        guard let account = o["accountid"]?.stringValue, let key = o["apikey"]?.stringValue else {
            throw .values("Invalid arguments: accountid and apikey must be strings")
        }
        return (account, key)
    }

    /// `{"items":[{"portalid","payload"},…]}`: the first `itemsPerSet` items, checked.
    static func set(_ body: [UInt8], limits: XRTCLimits) throws(XRTCError) -> [(portal: String, payload: String)] {
        if var items = XRTCPlainSet.items(body) {
            // The only mistakes such a body can hold: a portal id's length, and
            // the payload total. Checked in place: the array is returned as read.
            if items.count > limits.itemsPerSet { items.removeLast(items.count - limits.itemsPerSet) }
            var bytes = 0
            for i in items.indices {
                bytes += items[i].payload.utf8.count
                _ = try portalID(items[i].portal, limits: limits, at: "items[\(i)]")
            }
            try checkPayloadTotal(bytes, limits: limits)
            return items
        }
        let o = try XRTCJSON.object(body)
        try XRTCJSON.checkNames(o, allowed: setNames, in: "item/set")
        guard let raw = o["items"] else { throw .names("Invalid arguments: 'items' is required") }
        guard case .array(let list) = raw else { throw .values("Invalid arguments: 'items' must be a list") }
        var items: [(portal: String, payload: String)] = []
        var bytes = 0
        for (i, item) in list.prefix(limits.itemsPerSet).enumerated() {
            guard case .object = item else { throw .values("Invalid arguments: items[\(i)] must be an object") }
            try XRTCJSON.checkNames(item, allowed: setItemNames, in: "items[\(i)]")
            let portal = try portalID(item["portalid"], limits: limits, at: "items[\(i)]")
            guard let payload = item["payload"]?.stringValue else {
                throw item["payload"] == nil ? .names("Invalid arguments: items[\(i)].payload is required") : .values("Invalid arguments: items[\(i)].payload must be a string")
            }
            if let ts = item["servertimestamp"], XRTCJSON.integer(ts) == nil {
                throw .values("Invalid arguments: items[\(i)].servertimestamp must be an integer")
            }
            bytes += payload.utf8.count
            items.append((portal, payload))
        }
        try checkPayloadTotal(bytes, limits: limits)
        return items
    }

    private static func checkPayloadTotal(_ bytes: Int, limits: XRTCLimits) throws(XRTCError) {
        if bytes > limits.payloadBytesPerRequest {
            throw .names("Invalid arguments: payload size \(bytes) bytes exceeds \(limits.payloadBytesPerRequest) bytes per request")
        }
    }

    /// `{"portals":[{"portalid","servertimestamp"?}], "mode", "schedule", "cutoff"}`; an empty body asks for every portal.
    static func get(_ body: [UInt8], limits: XRTCLimits) throws(XRTCError) -> XRTCGetRequest {
        let o = try XRTCJSON.object(body)
        try XRTCJSON.checkNames(o, allowed: getNames, in: "item/get")
        var request = XRTCGetRequest()
        if let raw = o["portals"] {
            guard case .array(let list) = raw else { throw .values("Invalid arguments: 'portals' must be a list") }
            for (i, p) in list.enumerated() {
                guard case .object = p else { throw .values("Invalid arguments: portals[\(i)] must be an object") }
                try XRTCJSON.checkNames(p, allowed: getPortalNames, in: "portals[\(i)]")
                let id = try portalID(p["portalid"], limits: limits, at: "portals[\(i)]")
                var since: Int64?
                if let ts = p["servertimestamp"] {
                    guard let n = XRTCJSON.integer(ts), n >= 0 else { throw .values("Invalid arguments: portals[\(i)].servertimestamp must be a non-negative integer") }
                    since = n == 0 ? nil : n
                }
                if !request.portals.contains(where: { $0.id == id }) { request.portals.append((id, since)) }
            }
        }
        if let raw = o["mode"] {
            guard let s = raw.stringValue, let mode = XRTCGetRequest.Mode(rawValue: s) else {
                throw .values("Invalid arguments: mode must be probe, watch or stream")
            }
            request.mode = mode
        }
        if let raw = o["schedule"] {
            guard let s = raw.stringValue, let schedule = XRTCGetRequest.Schedule(rawValue: s) else {
                throw .values("Invalid arguments: schedule must be LIFO or FIFO")
            }
            request.schedule = schedule
        }
        if let raw = o["cutoff"] {
            guard let n = XRTCJSON.integer(raw), n >= -1 else { throw .values("Invalid arguments: cutoff must be an integer of -1 or more") }
            request.cutoff = n
        }
        return request
    }

    private static func portalID(_ value: JSONValue?, limits: XRTCLimits, at place: @autoclosure () -> String) throws(XRTCError) -> String {
        guard let value else { throw .names("Invalid arguments: \(place()).portalid is required") }
        return try portalID(value.stringValue, limits: limits, at: place())
    }

    private static func portalID(_ id: String?, limits: XRTCLimits, at place: @autoclosure () -> String) throws(XRTCError) -> String {
        guard let id, !id.isEmpty, id.count <= limits.portalIDLength else {
            throw .values("Invalid arguments: \(place()).portalid must be a string of 1 to \(limits.portalIDLength) characters")
        }
        return id
    }

    /// `{"items":[…]}` as one line of JSON.
    static func itemsBody(_ items: [XRTCItem]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(16 + items.reduce(0) { $0 + $1.portalID.utf8.count + $1.payload.utf8.count + 64 })
        out.append(contentsOf: #"{"items":["#.utf8)
        for (i, item) in items.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: #"{"portalid":"#.utf8)
            XRTCJSON.appendQuoted(item.portalID, to: &out)
            out.append(contentsOf: #","payload":"#.utf8)
            XRTCJSON.appendQuoted(item.payload, to: &out)
            out.append(contentsOf: #","servertimestamp":"#.utf8)
            XRTCJSON.appendInteger(item.timestamp, to: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(contentsOf: "]}".utf8)
        return out
    }

    /// `{"servertimestamp":…}`.
    static func timestampBody(_ ms: Int64) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(40)
        out.append(contentsOf: #"{"servertimestamp":"#.utf8)
        XRTCJSON.appendInteger(ms, to: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }
}
