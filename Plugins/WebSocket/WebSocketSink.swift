import Dispatch
import Junction
import JunctionNet
import Logging
import Metrics

/// Sends messages on WebSockets. Server mode (`path`): a message whose
/// metadata names a connection of this path (`connection_id`, as the
/// websocket source sets it) goes to that connection only, so echo and reply
/// routes work; any other message goes to every client connected to the
/// path. Client mode (`url`): on the client's connection, queued while it
/// reconnects.
///
/// Backpressure is the connection's own: while a target's `bufferedAmount`
/// is over `high_water_mark` the sink waits for it to drain to half of that
/// before the next message, so the batch stays counted on the edge and the
/// route's sources pause. Messages addressed to a connection that is gone
/// are reported as failed and counted.
///
/// ```yaml
/// sinks:
///   chat_out: { type: websocket, path: /ws }
///   upstream: { type: websocket, url: "ws://127.0.0.1:9000/in", binary: true }
/// ```
public final class WebSocketSink: ReportingSink, HandOffSink, Sendable {
    private enum Transport: Sendable {
        case server(WebSocketEndpoint)
        case client(WebSocketClient)
    }

    private let transport: Transport
    private let binary: Bool?
    private let highWater: Int
    private let queue = DispatchQueue(label: "junction.websocket.sink")
    private let undeliverable: Counter

    init(config: WebSocketConfig, context: ComponentContext) throws {
        let hub = WebSocketHub.shared(context.services)
        if config.isClient {
            transport = .client(try hub.client(config, logger: context.logger))
        } else {
            transport = .server(hub.endpoint(config, reader: false, services: context.services))
        }
        binary = config.binary
        highWater = config.highWaterMark.bytes
        undeliverable = Counter(label: "junction_websocket_undeliverable_total", dimensions: [("component", context.name)])
    }

    /// Sends `batch` in order; completes (with the undeliverable count) once
    /// every message is queued on its connections below the high-water mark.
    ///
    /// The first pass runs on the caller's thread (a ``HandOffSink``: queuing
    /// on a connection never blocks): the runtime hands over one batch at a
    /// time, so nothing else runs here meanwhile, and a message saves thread
    /// hops on its way out. After a wait for the high-water mark, the rest
    /// goes on on the sink's own queue.
    public func write(_ batch: [Message], reporting completion: @escaping @Sendable (_ failed: Int) -> Void) {
        send(batch[...], failed: 0, completion: completion)
    }

    /// Sends in order; when a target is over the high-water mark, waits for
    /// it to drain and goes on with the rest (on `queue`). Consecutive
    /// messages for the same targets go as one run: each target is asked for
    /// its `bufferedAmount` once and takes the run under one lock, and the run
    /// ends where a target would be over the mark, as message by message.
    private func send(_ rest: ArraySlice<Message>, failed: Int, completion: @escaping @Sendable (Int) -> Void) {
        var rest = rest
        var failed = failed
        let low = max(0, highWater / 2)
        var everyone: [WebSocketConnection]?  // the path's clients, read once per pass
        var routes = RouteMemo()
        var amounts: [Int] = []
        var frames: [WebSocketMessage] = []
        while !rest.isEmpty {
            let route = routes.route(of: rest[rest.startIndex].metadata, sink: self)
            guard let targets = targets(for: route, everyone: &everyone) else {
                failed += 1
                undeliverable.increment()
                rest = rest.dropFirst()
                continue
            }
            amounts.removeAll(keepingCapacity: true)
            for target in targets { amounts.append(target.bufferedAmount) }
            if let full = amounts.firstIndex(where: { $0 > highWater }) {
                let (waiting, failedSoFar) = (rest, failed)
                targets[full].whenBufferedAmount(atMost: low) { [self] in
                    queue.async { self.send(waiting, failed: failedSoFar, completion: completion) }
                }
                return
            }
            frames.removeAll(keepingCapacity: true)
            var end = rest.startIndex
            var room = highWater - (amounts.max() ?? 0)
            repeat {
                let frame = Self.frame(rest[end], binary: binary)
                room -= frame.payload.count
                frames.append(frame)
                end += 1
            } while end < rest.endIndex && room >= 0 && routes.route(of: rest[end].metadata, sink: self) == route
            var sent = targets.isEmpty  // a broadcast to nobody is not a failure
            for connection in targets where connection.send(contentsOf: frames) { sent = true }
            if !sent {
                failed += frames.count
                undeliverable.increment(by: Int64(frames.count))
            }
            rest = rest[end...]
        }
        completion(failed)
    }

    /// The route of the last metadata looked at: the messages of a batch
    /// mostly share one metadata dictionary (the source builds it once per
    /// connection), and the same storage means the same route, without a lookup.
    private struct RouteMemo {
        private var metadata: [String: String]?
        private var route = Route.everyone

        mutating func route(of metadata: [String: String], sink: WebSocketSink) -> Route {
            if let last = self.metadata, Self.sameStorage(last, metadata) { return route }
            route = sink.route(of: metadata)
            self.metadata = metadata
            return route
        }

        /// True only when both are the very same storage (a false answer
        /// just means "look it up").
        private static func sameStorage(_ a: [String: String], _ b: [String: String]) -> Bool {
            withUnsafeBytes(of: a) { x in withUnsafeBytes(of: b) { y in x.elementsEqual(y) } }
        }
    }

    /// Where a message goes: one connection of this path, when its metadata
    /// names one (as the websocket source sets it), or every client.
    private enum Route: Equatable {
        case everyone
        case connection(UInt64)
    }

    private func route(of metadata: [String: String]) -> Route {
        guard case .server(let endpoint) = transport, metadata["path"] == endpoint.path,
              let id = metadata["connection_id"].flatMap(UInt64.init) else { return .everyone }
        return .connection(id)
    }

    /// The connections of `route`; nil when it names a connection that is gone.
    private func targets(for route: Route, everyone: inout [WebSocketConnection]?) -> [WebSocketConnection]? {
        switch (transport, route) {
        case (.client(let client), _):
            return [client.connection]
        case (.server(let endpoint), .connection(let id)):
            return endpoint.connection(id: id).map { [$0] }
        case (.server(let endpoint), .everyone):
            if let everyone { return everyone }
            let all = endpoint.connections
            everyone = all
            return all
        }
    }

    private static func frame(_ message: Message, binary: Bool?) -> WebSocketMessage {
        let isBinary = binary ?? (message.kind == .binary)
        return WebSocketMessage(kind: isBinary ? .binary : .text, payload: message.payload)
    }
}
