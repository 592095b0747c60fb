import Dispatch
import Foundation
import Junction
import JunctionNet
import Logging
import Metrics

/// The XRTC HTTP API on the shared listener: PATH/auth/login, PATH/item/set, PATH/item/get.
final class XRTCServer: Sendable {
    let hub: XRTCHub
    private let logger: Logger
    private let badInput: RateLimitedLog
    private let requests = XRTCRequestCounters()
    private static let json = [("Content-Type", "application/json")]

    init(hub: XRTCHub, logger: Logger) {
        self.hub = hub
        self.logger = logger
        self.badInput = RateLimitedLog(logger: logger)
    }

    func mount(on listener: HTTPListener, path: String) {
        // Inline: each handler is a parse, a short critical section in the hub
        // and an answer (watch and stream only register a waiter), so they run
        // on the network thread and answer in the same pass.
        // The handlers read one header, the session cookie.
        let cookie = HTTPHeaderSelection.only(["cookie"])
        listener.mount(path + "/auth/login", inline: true, headers: cookie) { [self] request, responder in handle(.login, request, responder, login) }
        listener.mount(path + "/item/set", inline: true, headers: cookie) { [self] request, responder in handle(.set, request, responder, set) }
        listener.mount(path + "/item/get", inline: true, headers: cookie) { [self] request, responder in handle(.get, request, responder, get) }
        listener.errorFormat(prefix: path) { status, message in XRTCError.http(status, message).body }
    }

    private func handle(_ endpoint: Endpoint, _ request: HTTPRequest, _ responder: HTTPResponder,
                        _ body: (HTTPRequest, HTTPResponder) throws(XRTCError) -> Void) {
        do throws(XRTCError) {
            guard request.method == "POST" else { throw XRTCError.values("Invalid arguments: use POST") }
            guard request.body.count <= hub.limits.maxBody.bytes else {
                throw XRTCError.tooLarge("Invalid arguments: request body over \(hub.limits.maxBody.configDescription)")
            }
            try body(request, responder)
            requests.count(endpoint, code: 0)
        } catch {
            requests.count(endpoint, code: error.code)
            badInput.note(endpoint: endpoint.rawValue, error: error)
            responder.respond(status: error.status, headers: Self.json, body: error.body)
        }
    }

    /// The `JSESSIONID` cookie's value, read straight from the header bytes.
    private func token(_ request: HTTPRequest) throws(XRTCError) -> String {
        guard var header = request.header("cookie"),
              let token = header.withUTF8({ Self.sessionCookie(in: $0[...]) }) else { throw .session }
        return token
    }

    private static let sessionCookieName = Array("JSESSIONID=".utf8)

    /// `JSESSIONID`'s value in a `Cookie` header (`a=1; JSESSIONID=…; b=2`).
    static func sessionCookie(in header: Slice<UnsafeBufferPointer<UInt8>>) -> String? {
        var bytes = header
        while !bytes.isEmpty {
            while let b = bytes.first, b == 0x20 || b == 0x09 || b == 0x3B { bytes = bytes.dropFirst() }
            let end = bytes.firstIndex(of: 0x3B) ?? bytes.endIndex
            let pair = bytes[bytes.startIndex..<end]
            if pair.starts(with: sessionCookieName) {
                var value = pair.dropFirst(sessionCookieName.count)
                while let last = value.last, last == 0x20 || last == 0x09 { value = value.dropLast() }
                return String(decoding: value, as: UTF8.self)
            }
            bytes = bytes[end...]
        }
        return nil
    }

    private func login(_ request: HTTPRequest, _ responder: HTTPResponder) throws(XRTCError) {
        let (account, key) = try XRTCRequests.login(request.body)
        let session = try hub.login(accountID: account, apiKey: key)
        responder.respond(status: 200, headers: Self.json + [("Set-Cookie", "JSESSIONID=\(session.token); Path=/; HttpOnly")],
                          body: XRTCRequests.timestampBody(session.timestamp))
    }

    private func set(_ request: HTTPRequest, _ responder: HTTPResponder) throws(XRTCError) {
        let token = try token(request)
        let items = try XRTCRequests.set(request.body, limits: hub.limits)
        let ts = try hub.set(token: token, items: items)
        responder.respond(status: 200, headers: Self.json, body: XRTCRequests.timestampBody(ts))
    }

    private func get(_ request: HTTPRequest, _ responder: HTTPResponder) throws(XRTCError) {
        let token = try token(request)
        let get = try XRTCRequests.get(request.body, limits: hub.limits)
        switch get.mode {
        case .probe:
            responder.respond(status: 200, headers: Self.json, body: XRTCRequests.itemsBody(try hub.get(token: token, request: get)))
        case .watch:
            try watch(token, get, responder)
        case .stream:
            try stream(token, get, responder)
        }
    }

    /// Answers with the first new items, or with none after the watch timeout.
    private func watch(_ token: String, _ get: XRTCGetRequest, _ responder: HTTPResponder) throws(XRTCError) {
        let queue = DispatchQueue(label: "junction.xrtc.watch")
        let state = WatchState()
        let hub = self.hub
        let finish: @Sendable ([XRTCItem]) -> Void = { items in
            guard let waiter = state.finish() else { return }
            hub.cancelWait(waiter)
            responder.respond(status: 200, headers: Self.json, body: XRTCRequests.itemsBody(items))
        }
        let waiter = try hub.addWaiter(token: token, request: get) {
            queue.async {
                guard !state.isDone, let items = try? hub.get(token: token, request: get), !items.isEmpty else { return }
                finish(items)
            }
        }
        state.start(waiter)
        responder.onClose { if let w = state.finish() { hub.cancelWait(w) } }
        // As for streams: the first get runs on the waiter's queue.
        let first: [XRTCItem]
        switch queue.sync(execute: { Result { () throws(XRTCError) in try hub.get(token: token, request: get) } }) {
        case .success(let items): first = items
        case .failure(let error):
            hub.cancelWait(waiter)
            throw error
        }
        if !first.isEmpty { queue.async { finish(first) } }
        queue.asyncAfter(deadline: .now() + hub.limits.watchTimeout.dispatch) { finish([]) }
    }

    /// Writes one `{"items":[…]}` line per arrival for the stream duration, then ends.
    ///
    /// An arrival's get and line run on the thread that stored the item (a
    /// setter's network thread, usually) under the stream's own lock, which
    /// keeps the lines in order without a hop through a queue.
    private func stream(_ token: String, _ get: XRTCGetRequest, _ responder: HTTPResponder) throws(XRTCError) {
        let serial = NSLock()
        let state = WatchState()
        let hub = self.hub
        let waiter = try hub.addWaiter(token: token, request: get) {
            serial.withLock {
                guard !state.isDone else { return }
                do {
                    let items = try hub.get(token: token, request: get)
                    if !items.isEmpty { responder.write(XRTCRequests.itemsBody(items) + [0x0A]) }
                } catch {
                    if let w = state.finish() {
                        hub.cancelWait(w)
                        responder.end()
                    }
                }
            }
        }
        state.start(waiter)
        // The first get, the head and its line happen under the stream's lock,
        // so no arrival's line can overtake them.
        let started: Result<Void, XRTCError> = serial.withLock {
            Result { () throws(XRTCError) in
                let first = try hub.get(token: token, request: get)
                responder.startStream(status: 200, headers: Self.json)
                if !first.isEmpty { responder.write(XRTCRequests.itemsBody(first) + [0x0A]) }
            }
        }
        if case .failure(let error) = started {
            hub.cancelWait(waiter)
            throw error
        }
        responder.onClose { if let w = state.finish() { hub.cancelWait(w) } }
        DispatchQueue.global().asyncAfter(deadline: .now() + hub.limits.streamDuration.dispatch) {
            serial.withLock {
                if let w = state.finish() {
                    hub.cancelWait(w)
                    responder.end()
                }
            }
        }
    }
}

/// The three API endpoints, as metric dimensions.
enum Endpoint: String, CaseIterable, Sendable {
    case login, set, get

    /// Its place in `allCases`.
    var index: Int {
        switch self {
        case .login: 0
        case .set: 1
        case .get: 2
        }
    }
}

/// `junction_xrtc_requests_total{endpoint, code}`, made once per pair: the
/// metrics factory is not on the per-request path, nor is a dictionary.
final class XRTCRequestCounters: Sendable {
    private static let codes = [0, 20, 30, 35, 45, 10011]
    /// By endpoint (its place in `Endpoint.allCases`), then by code (its place in `codes`).
    private let counters: [[Counter]]

    init() {
        counters = Endpoint.allCases.map { endpoint in
            Self.codes.map { code in Self.counter(endpoint, code) }
        }
    }

    func count(_ endpoint: Endpoint, code: Int) {
        if let c = Self.codes.firstIndex(of: code) {
            counters[endpoint.index][c].increment()
        } else {
            Self.counter(endpoint, code).increment()
        }
    }

    private static func counter(_ endpoint: Endpoint, _ code: Int) -> Counter {
        Counter(label: "junction_xrtc_requests_total", dimensions: [("endpoint", endpoint.rawValue), ("code", "\(code)")])
    }
}

/// Once-only completion of a waiting get.
final class WatchState: @unchecked Sendable {
    private let lock = NSLock()
    private var waiter: Int?
    private var done = false

    func start(_ id: Int) { lock.withLock { waiter = id } }
    var isDone: Bool { lock.withLock { done } }

    /// Marks done; returns the waiter id the first time only.
    func finish() -> Int? {
        lock.withLock {
            guard !done else { return nil }
            done = true
            return waiter ?? -1
        }
    }
}

/// Logs rejected requests at most once a second, with a count.
final class RateLimitedLog: @unchecked Sendable {
    private let logger: Logger
    private let lock = NSLock()
    private var pending = 0
    private var last: UInt64 = 0

    init(logger: Logger) { self.logger = logger }

    func note(endpoint: String, error: XRTCError) {
        let now = DispatchTime.now().uptimeNanoseconds
        let count: Int? = lock.withLock {
            pending += 1
            guard elapsed(last, now) >= 1_000_000_000 else { return nil }
            last = now
            defer { pending = 0 }
            return pending
        }
        if let count {
            logger.warning("rejected XRTC request", metadata: [
                "endpoint": "\(endpoint)", "errorcode": "\(error.code)", "error": "\(error.message)", "rejected_since_last_log": "\(count)",
            ])
        }
    }
}
