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
    /// it to drain and goes on with the rest (on `queue`).
    private func send(_ rest: ArraySlice<Message>, failed: Int, completion: @escaping @Sendable (Int) -> Void) {
        var rest = rest
        var failed = failed
        let low = max(0, highWater / 2)
        while let message = rest.first {
            guard let targets = targets(for: message) else {
                failed += 1
                undeliverable.increment()
                rest = rest.dropFirst()
                continue
            }
            if let full = targets.first(where: { $0.bufferedAmount > highWater }) {
                let (waiting, failedSoFar) = (rest, failed)
                full.whenBufferedAmount(atMost: low) { [self] in
                    queue.async { self.send(waiting, failed: failedSoFar, completion: completion) }
                }
                return
            }
            let outgoing = Self.frame(message, binary: binary)
            var sent = targets.isEmpty  // a broadcast to nobody is not a failure
            for connection in targets where connection.send(outgoing) { sent = true }
            if !sent {
                failed += 1
                undeliverable.increment()
            }
            rest = rest.dropFirst()
        }
        completion(failed)
    }

    /// Where `message` goes; nil when it names a connection that is gone.
    private func targets(for message: Message) -> [WebSocketConnection]? {
        switch transport {
        case .client(let client):
            return [client.connection]
        case .server(let endpoint):
            if let id = message.metadata["connection_id"].flatMap(UInt64.init),
               message.metadata["path"] == endpoint.path {
                return endpoint.connection(id: id).map { [$0] }
            }
            return endpoint.connections
        }
    }

    private static func frame(_ message: Message, binary: Bool?) -> WebSocketMessage {
        let isBinary = binary ?? (message.kind == .binary)
        return WebSocketMessage(kind: isBinary ? .binary : .text, payload: message.payload)
    }
}
