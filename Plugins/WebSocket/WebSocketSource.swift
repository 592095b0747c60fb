import Junction
import JunctionNet
import Metrics
import Synchronization

/// Messages received on WebSockets: from every client connected to `path`
/// (server mode), or from the server at `url` (client mode). Each message
/// carries metadata `connection_id`, `remote_address`, `type` (`text` or
/// `binary`) and `path` or `url`.
///
/// Pausing stops reading the sockets (`lws_rx_flow_control`): the peers'
/// own send buffers fill up and nothing is dropped. Until the pipeline starts
/// the source, its connections are not read either.
///
/// ```yaml
/// sources:
///   chat_in: { type: websocket, path: /ws }
///   feed:    { type: websocket, url: "ws://127.0.0.1:9000/feed" }
/// ```
public final class WebSocketSource: Source, Sendable {
    private enum Transport: Sendable {
        case server(WebSocketEndpoint)
        case client(WebSocketClient)
    }

    private let transport: Transport
    private let state = Mutex<(output: (any SourceOutput)?, stopped: Bool)>((nil, false))
    /// Connections closed with 1009 (a message over `max_message_size`).
    private let oversized: Counter
    private let reportedOversized = Atomic<Int>(0)

    init(config: WebSocketConfig, context: ComponentContext) throws {
        let hub = WebSocketHub.shared(context.services)
        try hub.claimReader(config, source: context.name)
        if config.isClient {
            transport = .client(try hub.client(config, logger: context.logger))
        } else {
            transport = .server(hub.endpoint(config, reader: true, services: context.services))
        }
        oversized = Counter(label: "junction_websocket_oversized_total", dimensions: [("component", context.name)])
        // Nothing is read before start.
        pause()
    }

    /// Delivers what the connections receive into `output`, and starts reading.
    public func start(_ output: any SourceOutput) throws {
        state.withLock { $0.output = output }
        switch transport {
        case .server(let endpoint):
            let path = endpoint.path
            endpoint.setHandlers(
                onMessages: { batch in
                    var metadata = MetadataCache(["path": path])
                    output.emit(batch.map { connection, message in metadata.message(message, from: connection) })
                },
                onClose: { [self] _, _, _ in countOversized(endpoint.oversizedMessages) },
                // Emitting only queues the batch on the route's edges: it can
                // run on the network thread, one thread hop less per message.
                messagesInline: true)
        case .client(let client):
            let connection = client.connection
            let url = client.url
            client.setHandlers(
                onMessages: { messages in
                    var metadata = MetadataCache(["url": url])
                    output.emit(messages.map { metadata.message($0, from: connection) })
                },
                onClose: { [self] _, _ in countOversized(client.oversizedMessages) })
        }
        if !output.isPaused { resume() }
    }

    /// Stops reading every connection of the path (or the client's).
    public func pause() {
        switch transport {
        case .server(let endpoint): endpoint.pause()
        case .client(let client): client.connection.pause()
        }
    }

    /// Reads again.
    public func resume() {
        guard !state.withLock({ $0.stopped }) else { return }
        switch transport {
        case .server(let endpoint): endpoint.resume()
        case .client(let client): client.connection.resume()
        }
    }

    /// Stops delivering and reading; the connections stay open for a sink on the same transport.
    public func stop() {
        let output: (any SourceOutput)? = state.withLock { s in
            s.stopped = true
            defer { s.output = nil }
            return s.output
        }
        pause()
        switch transport {
        case .server(let endpoint): endpoint.setHandlers()
        case .client(let client): client.setHandlers()
        }
        output?.finish()
    }

    /// Brings the metric up to the transport's own count (events arrive in order on one queue).
    private func countOversized(_ total: Int) {
        let before = reportedOversized.exchange(total, ordering: .relaxed)
        if total > before { oversized.increment(by: total - before) }
    }
}

/// The metadata of one batch's messages, built once per connection and kind
/// and shared by the messages (a batch is mostly one connection's run).
private struct MetadataCache {
    private let base: [String: String]
    private var connection: WebSocketConnection?
    private var text: [String: String] = [:]
    private var binary: [String: String] = [:]

    /// One receive time for the batch: its messages came in one pass of the
    /// network thread (and a clock read per message is measurable).
    private let timestamp = Message.now()

    init(_ base: [String: String]) {
        self.base = base
    }

    mutating func message(_ m: WebSocketMessage, from source: WebSocketConnection) -> Message {
        if connection !== source {
            connection = source
            var metadata = base
            metadata["connection_id"] = String(source.id)
            metadata["remote_address"] = source.remoteAddress
            metadata["type"] = "text"
            text = metadata
            metadata["type"] = "binary"
            binary = metadata
        }
        let isText = m.kind == .text
        return Message(payload: m.payload, kind: isText ? .text : .binary, metadata: isText ? text : binary, timestamp: timestamp)
    }
}
