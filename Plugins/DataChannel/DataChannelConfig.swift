import Junction

/// `{type: datachannel, label: NAME}` as a source or a sink.
///
/// ```yaml
/// sources:
///   chat_in: { type: datachannel, label: chat }
/// sinks:
///   chat_out: { type: datachannel, label: chat }        # replies go back where they came from
///   telemetry: { type: datachannel, label: telemetry, id: 7 }   # pre-negotiated on every session
/// ```
public struct DataChannelConfig: ComponentConfig {
    /// Channels with this label (any session) are this component's.
    public var label = ""
    /// A negotiated channel: every session gets channel `id` with this label at
    /// once, without DCEP, and the peer must create it with `negotiated: true, id`.
    public var id: Int?
    /// Junction opens a channel with this label on every session itself (DCEP,
    /// even stream ids), so peers get it in `ondatachannel` without creating it.
    public var open = false
    /// Sink: what to send when a message names no session (`broadcast` to every
    /// open channel with the label, or `drop` and count it).
    public var unaddressed = Unaddressed.broadcast
    /// Sink: bytes a channel may have queued (its `bufferedAmount`) before the
    /// sink waits for it to drain; the batch stays counted on the edge meanwhile.
    public var highWaterMark = ByteSize(1 << 20)

    /// What a sink does with a message whose metadata names no session.
    public enum Unaddressed: String, ConfigEnum {
        /// Send it on every open channel with the label.
        case broadcast
        /// Count and drop it.
        case drop
    }

    public init() {}

    public static let fields: [ConfigField<DataChannelConfig>] = [
        .field("label", \.label, "The channel label this source reads or this sink writes.", required: true),
        .field("id", \.id, "Pre-negotiated stream id (0–65534) opened on every session without DCEP."),
        .field("open", \.open, "Open a channel with this label on every session from Junction's side (peers receive it in ondatachannel)."),
        .field("unaddressed", \.unaddressed, "Sink: messages without a session in their metadata go to every open channel with the label (broadcast) or are dropped and counted (drop)."),
        .field("high_water_mark", \.highWaterMark, "Sink: a channel's bufferedAmount above which writes wait for the bufferedamountlow event."),
    ]

    public func validate() throws {
        guard !label.isEmpty else { throw ConfigDiagnostic.field("label", "label must not be empty") }
        guard label.utf8.count <= 65_535 else { throw ConfigDiagnostic.field("label", "label is longer than 65535 bytes") }
        if let id, !(0...65_534).contains(id) { throw ConfigDiagnostic.field("id", "id must be between 0 and 65534") }
        if open && id != nil { throw ConfigDiagnostic.field("open", "open and id exclude each other: a negotiated channel (id) exists on both sides already") }
        guard highWaterMark.bytes >= 1 else { throw ConfigDiagnostic.field("high_water_mark", "high_water_mark must be at least 1 byte") }
    }
}
