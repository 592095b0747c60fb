import Dispatch
import Synchronization

/// Answers one ``HTTPRequest``, from any thread, now or later.
///
/// Use either ``respond(status:headers:body:)`` once, or
/// ``startStream(status:headers:)``, any number of ``write(_:)`` and one
/// ``end()``. Calls out of that order, and every call after the client went
/// away, do nothing.
///
/// ```swift
/// server.mount("/v1/item/get") { request, responder in
///     responder.onClose { watcher.cancel() }
///     watcher.wait(seconds: 5) { items in
///         responder.respond(status: 200, headers: [("Content-Type", "application/json")], body: items)
///     }
/// }
/// ```
public final class HTTPResponder: Sendable {
    private enum Phase { case fresh, streaming, ended }

    private struct State {
        var phase = Phase.fresh
        var clientGone = false
        var closeHandler: (@Sendable () -> Void)?
    }

    let id: UInt64
    private let inbox: HTTPInbox
    private let queue: DispatchQueue
    private let state = Mutex(State())

    init(id: UInt64, inbox: HTTPInbox, queue: DispatchQueue) {
        self.id = id
        self.inbox = inbox
        self.queue = queue
    }

    /// Whole response (Content-Length), then the connection is kept alive for the next request.
    ///
    /// ```swift
    /// responder.respond(status: 200, headers: [("Content-Type", "text/plain")], body: Array("ok".utf8))
    /// ```
    public func respond(status: Int, headers: [(String, String)] = [], body: [UInt8]) {
        state.withLock { s in
            guard s.phase == .fresh, !s.clientGone else { return }
            s.phase = .ended
            // Sent under our lock so commands of one responder stay in call order.
            inbox.send(.respond(id: id, status: status, headers: headers, body: body))
        }
    }

    /// Streaming: headers with Transfer-Encoding: chunked, then any number of chunks, then end().
    ///
    /// ```swift
    /// responder.startStream(status: 200, headers: [("Content-Type", "application/x-ndjson")])
    /// responder.write(Array("{\"items\":[]}\n".utf8))
    /// responder.end()
    /// ```
    public func startStream(status: Int, headers: [(String, String)] = []) {
        state.withLock { s in
            guard s.phase == .fresh, !s.clientGone else { return }
            s.phase = .streaming
            inbox.send(.startStream(id: id, status: status, headers: headers))
        }
    }

    /// Sends one chunk of a stream started with ``startStream(status:headers:)``.
    /// Empty chunks are skipped (an empty chunk would end the stream on the wire).
    ///
    /// ```swift
    /// responder.write(Array("line\n".utf8))
    /// ```
    public func write(_ chunk: [UInt8]) {
        guard !chunk.isEmpty else { return }
        state.withLock { s in
            guard s.phase == .streaming, !s.clientGone else { return }
            inbox.send(.chunk(id: id, bytes: chunk))
        }
    }

    /// Ends a stream; the connection is then kept alive for the next request.
    ///
    /// ```swift
    /// responder.end()
    /// ```
    public func end() {
        state.withLock { s in
            guard s.phase == .streaming, !s.clientGone else { return }
            s.phase = .ended
            inbox.send(.end(id: id))
        }
    }

    /// Called once if the client goes away before the response ended.
    /// Registering after the client already left calls `handler` right away
    /// (on the server's handler queue).
    ///
    /// ```swift
    /// responder.onClose { timer.cancel() }
    /// ```
    public func onClose(_ handler: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { s -> Bool in
            if s.clientGone { return true }
            s.closeHandler = handler
            return false
        }
        if runNow { queue.async(execute: handler) }
    }

    /// Whether the client left before the response was written.
    ///
    /// ```swift
    /// if responder.isClientGone { return }
    /// ```
    public var isClientGone: Bool {
        state.withLock { $0.clientGone }
    }

    /// Service thread: the client left before the response was fully written.
    func clientWentAway() {
        let handler = state.withLock { s -> (@Sendable () -> Void)? in
            guard !s.clientGone else { return nil }
            s.clientGone = true
            let h = s.closeHandler
            s.closeHandler = nil
            return h
        }
        if let handler { queue.async(execute: handler) }
    }
}
