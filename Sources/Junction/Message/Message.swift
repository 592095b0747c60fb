import Foundation

/// One unit of data moving through a route: bytes plus metadata.
///
/// Text and binary stay distinguishable, because WebSockets and data channels
/// care. The byte size that backpressure counts is `payload.count`.
///
/// ```swift
/// var m = Message(text: #"{"level":"alert"}"#)
/// m.metadata["source"] = "lines"
/// ```
public struct Message: Sendable {
    /// Whether the payload is UTF-8 text or opaque bytes.
    public enum Kind: UInt8, Sendable {
        case text
        case binary
    }

    /// The message body.
    public var payload: [UInt8]
    /// Text or binary.
    public var kind: Kind
    /// String metadata: `source`, `portalid`, `session_id`, HTTP headers, …
    public var metadata: [String: String]
    /// When Junction received the message, in nanoseconds since the Unix epoch.
    public var timestamp: UInt64
    /// Sink names a `switch` stage chose for this message; `nil` means every sink of the route.
    public var targets: [String]?

    public init(
        payload: [UInt8],
        kind: Kind = .binary,
        metadata: [String: String] = [:],
        timestamp: UInt64 = Message.now()
    ) {
        self.payload = payload
        self.kind = kind
        self.metadata = metadata
        self.timestamp = timestamp
        self.targets = nil
    }

    /// A text message from a Swift string.
    public init(text: String, metadata: [String: String] = [:]) {
        self.init(payload: Array(text.utf8), kind: .text, metadata: metadata)
    }

    /// The payload decoded as UTF-8 (invalid sequences repaired).
    public var text: String { String(decoding: payload, as: UTF8.self) }

    /// Bytes this message counts for in `bufferedAmount`.
    @inlinable public var byteSize: Int { payload.count }

    /// The current wall-clock time in nanoseconds since the Unix epoch.
    public static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }
}

extension Array where Element == Message {
    /// Sum of the payload sizes of a batch.
    @inlinable public var byteSize: Int {
        var total = 0
        for m in self { total &+= m.payload.count }
        return total
    }
}
