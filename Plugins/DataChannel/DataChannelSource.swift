import Junction
import JunctionRTC

/// Messages from every data channel with the configured label, on any
/// session (metadata `session`, `label`, `channel` — the stream id — and
/// `type`: `text` or `binary`). Pausing stops reading those channels' SCTP
/// streams, so the browsers' and peers' own `bufferedAmount` grows.
///
/// ```yaml
/// sources:
///   chat_in: { type: datachannel, label: chat }
/// ```
public final class DataChannelSource: Source, @unchecked Sendable {
    private let hub: DataChannelHub
    private let label: String
    private var token: Int?
    private var output: (any SourceOutput)?

    init(config: DataChannelConfig, hub: DataChannelHub) throws {
        self.hub = hub
        label = config.label
        if let id = config.id { try hub.addNegotiated(label: config.label, id: id) }
        if config.open { hub.addOpened(label: config.label) }
    }

    public func start(_ output: any SourceOutput) throws {
        self.output = output
        token = hub.subscribe(label: label) { message, entry in
            output.emit(Message(
                payload: message.payload, kind: message.isText ? .text : .binary,
                metadata: [
                    "session": entry.session, "label": entry.channel.label,
                    "channel": String(entry.channel.id), "type": message.isText ? "text" : "binary",
                ]))
        }
    }

    public func pause() { hub.setPaused(true, label: label) }

    public func resume() { hub.setPaused(false, label: label) }

    public func stop() {
        if let token { hub.unsubscribe(label: label, token: token) }
        token = nil
        output?.finish()
        output = nil
    }
}

extension DataChannelMessage {
    var isText: Bool {
        if case .text = self { return true }
        return false
    }

    var payload: [UInt8] {
        switch self {
        case .text(let text): return Array(text.utf8)
        case .binary(let bytes): return bytes
        }
    }
}
