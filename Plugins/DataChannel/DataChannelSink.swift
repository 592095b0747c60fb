import Dispatch
import Junction
import JunctionRTC
import Logging
import Metrics

/// Sends each message on data channels with the configured label: to the
/// channel named by the message's metadata (`session`, and `channel` when
/// several share the label) so reply and echo routes work, or, for a message
/// that names no session, to every open channel with the label.
///
/// Backpressure is the channel's own: when a channel's `bufferedAmount`
/// passes `high_water_mark` the sink waits for its `bufferedamountlow` before
/// the next message, so the batch stays counted on the edge and the sources
/// upstream pause. Nothing is dropped for being slow; messages to a session
/// or channel that is gone, or over the channel's size limit, are reported as
/// failed.
///
/// ```yaml
/// sinks:
///   chat_out: { type: datachannel, label: chat }
/// ```
public final class DataChannelSink: ReportingSink, @unchecked Sendable {
    private let hub: DataChannelHub
    private let config: DataChannelConfig
    private let logger: Logger
    private let queue = DispatchQueue(label: "junction.datachannel.sink")
    private let undeliverable: Counter

    init(config: DataChannelConfig, hub: DataChannelHub, context: ComponentContext) throws {
        self.hub = hub
        self.config = config
        logger = context.logger
        undeliverable = Counter(label: "junction_rtc_undeliverable_total", dimensions: [("component", context.name)])
        if let id = config.id { try hub.addNegotiated(label: config.label, id: id) }
        if config.open { hub.addOpened(label: config.label) }
    }

    public func write(_ batch: [Message], reporting completion: @escaping @Sendable (_ failed: Int) -> Void) {
        queue.async { [self] in send(batch[...], failed: 0, completion: completion) }
    }

    /// Sends messages in order; when a channel is over the high-water mark,
    /// waits for it to drain, then goes on with the rest (on `queue`).
    private func send(_ rest: ArraySlice<Message>, failed: Int, completion: @escaping @Sendable (Int) -> Void) {
        var failed = failed
        var rest = rest
        let lowMark = max(1, config.highWaterMark.bytes / 2)
        // One hub lookup per destination per pass, not per message (a pass ends at a wait).
        var lookedUp: [String: [DataChannel]] = [:]
        while let message = rest.first {
            let key = (message.metadata["session"] ?? "") + "/" + (message.metadata["channel"] ?? "")
            let targets = lookedUp[key] ?? targets(for: message)
            lookedUp[key] = targets
            if targets.isEmpty {
                failed += 1
                undeliverable.increment()
                rest = rest.dropFirst()
                continue
            }
            // Wait before sending to a channel that is full already.
            if let full = targets.first(where: { $0.bufferedAmount > config.highWaterMark.bytes }) {
                let (waiting, failedSoFar) = (rest, failed)
                hub.whenDrained(full, below: lowMark) { [self] in
                    queue.async { self.send(waiting, failed: failedSoFar, completion: completion) }
                }
                return
            }
            let payload: DataChannelMessage = message.kind == .text ? .text(message.text) : .binary(message.payload)
            var sent = false
            for channel in targets {
                do {
                    try channel.send(payload)
                    hub.noteSent(payload, on: channel)
                    sent = true
                } catch {
                    logger.debug("data channel send failed", metadata: ["label": "\(channel.label)", "error": "\(error)"])
                }
            }
            if !sent {
                failed += 1
                undeliverable.increment()
            }
            rest = rest.dropFirst()
        }
        completion(failed)
    }

    private func targets(for message: Message) -> [DataChannel] {
        if let session = message.metadata["session"] {
            let entries = hub.channels(label: config.label, session: session)
            if let stream = message.metadata["channel"].flatMap(UInt16.init),
               let exact = entries.first(where: { $0.channel.id == stream }) {
                return [exact.channel]
            }
            return entries.first.map { [$0.channel] } ?? []
        }
        switch config.unaddressed {
        case .broadcast: return hub.channels(label: config.label).map(\.channel).filter { $0.readyState == .open }
        case .drop: return []
        }
    }
}
