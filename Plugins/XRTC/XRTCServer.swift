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
    private static let json = [("Content-Type", "application/json")]

    init(hub: XRTCHub, logger: Logger) {
        self.hub = hub
        self.logger = logger
        self.badInput = RateLimitedLog(logger: logger)
    }

    func mount(on listener: HTTPListener, path: String) {
        listener.mount(path + "/auth/login") { [self] request, responder in handle("login", request, responder, login) }
        listener.mount(path + "/item/set") { [self] request, responder in handle("set", request, responder, set) }
        listener.mount(path + "/item/get") { [self] request, responder in handle("get", request, responder, get) }
        listener.errorFormat(prefix: path) { status, message in XRTCError.http(status, message).body }
    }

    private func handle(_ endpoint: String, _ request: HTTPRequest, _ responder: HTTPResponder,
                        _ body: (HTTPRequest, HTTPResponder) throws(XRTCError) -> Void) {
        do throws(XRTCError) {
            guard request.method == "POST" else { throw XRTCError.values("Invalid arguments: use POST") }
            guard request.body.count <= hub.limits.maxBody.bytes else {
                throw XRTCError.tooLarge("Invalid arguments: request body over \(hub.limits.maxBody.configDescription)")
            }
            try body(request, responder)
            Counter(label: "junction_xrtc_requests_total", dimensions: [("endpoint", endpoint), ("code", "0")]).increment()
        } catch {
            Counter(label: "junction_xrtc_requests_total", dimensions: [("endpoint", endpoint), ("code", "\(error.code)")]).increment()
            badInput.note(endpoint: endpoint, error: error)
            responder.respond(status: error.status, headers: Self.json, body: error.body)
        }
    }

    private func token(_ request: HTTPRequest) throws(XRTCError) -> String {
        for part in (request.header("cookie") ?? "").split(separator: ";") {
            let kv = part.trimmingCharacters(in: .whitespaces)
            if kv.hasPrefix("JSESSIONID=") { return String(kv.dropFirst(11)) }
        }
        throw .session
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
        let first = try hub.get(token: token, request: get)
        queue.async {
            if !first.isEmpty { finish(first) }
        }
        queue.asyncAfter(deadline: .now() + hub.limits.watchTimeout.dispatch) { finish([]) }
    }

    /// Writes one `{"items":[…]}` line per arrival for the stream duration, then ends.
    private func stream(_ token: String, _ get: XRTCGetRequest, _ responder: HTTPResponder) throws(XRTCError) {
        let queue = DispatchQueue(label: "junction.xrtc.stream")
        let state = WatchState()
        let hub = self.hub
        let waiter = try hub.addWaiter(token: token, request: get) {
            queue.async {
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
        let first: [XRTCItem]
        do { first = try hub.get(token: token, request: get) } catch {
            hub.cancelWait(waiter)
            throw error
        }
        responder.startStream(status: 200, headers: Self.json)
        responder.onClose { if let w = state.finish() { hub.cancelWait(w) } }
        queue.async {
            if !first.isEmpty { responder.write(XRTCRequests.itemsBody(first) + [0x0A]) }
        }
        queue.asyncAfter(deadline: .now() + hub.limits.streamDuration.dispatch) {
            if let w = state.finish() {
                hub.cancelWait(w)
                responder.end()
            }
        }
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
            guard now &- last >= 1_000_000_000 else { return nil }
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
