import Dispatch
import Junction
import Metrics

/// Session and recording events of the RTM endpoint as messages: every
/// `session_state` (with its termination cause) and `recording_state` sent
/// to a client, as the same JSON, with metadata `type`, `session_id`,
/// `client_id`, `state`, and `termination_cause` or `recording_id`.
///
/// Events are few; while the route is paused they wait in memory, up to
/// `buffer` of them (older ones beyond are dropped and counted).
///
/// ```yaml
/// sources:
///   rtm: { type: rtm_events }
/// sinks:
///   audit: { type: file, path: rtm-events.jsonl }
/// routes:
///   - { from: rtm, to: audit }
/// ```
public final class RTMEventsSource: Source, @unchecked Sendable {
    private let server: RTMServer
    private let limit: Int
    private let queue = DispatchQueue(label: "junction.rtm.events")
    private let dropped: Counter
    // Queue-confined.
    private var output: (any SourceOutput)?
    private var waiting: [Message] = []
    private var paused = false
    private var token: Int?

    init(config: RTMEventsConfig, server: RTMServer, context: ComponentContext) {
        self.server = server
        limit = config.buffer
        dropped = Counter(label: "junction_rtm_events_dropped_total", dimensions: [("component", context.name)])
    }

    public func start(_ output: any SourceOutput) throws {
        queue.sync { self.output = output }
        token = server.listen { [weak self] message in
            guard let self else { return }
            queue.async { self.take(message) }
        }
    }

    private func take(_ message: Message) {
        waiting.append(message)
        if waiting.count > limit {
            dropped.increment(by: waiting.count - limit)
            waiting.removeFirst(waiting.count - limit)
        }
        flush()
    }

    private func flush() {
        guard !paused, let output, !waiting.isEmpty else { return }
        output.emit(waiting)
        waiting.removeAll(keepingCapacity: true)
    }

    public func pause() { queue.async { self.paused = true } }

    public func resume() {
        queue.async {
            self.paused = false
            self.flush()
        }
    }

    public func stop() {
        if let token { server.unlisten(token) }
        queue.async {
            self.output?.finish()
            self.output = nil
        }
    }
}

/// `{type: rtm_events}`.
public struct RTMEventsConfig: ComponentConfig {
    /// Events kept while the route is paused.
    public var buffer = 10_000

    public init() {}

    public static let fields: [ConfigField<RTMEventsConfig>] = [
        .field("buffer", \.buffer, "Events kept while the route is paused; older ones beyond are dropped and counted."),
    ]

    public func validate() throws {
        guard buffer >= 1 else { throw ConfigDiagnostic.field("buffer", "buffer must be at least 1") }
    }
}
