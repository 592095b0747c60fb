/// One whole WebSocket message (fragments reassembled): text or binary bytes.
///
/// ```swift
/// connection.send(WebSocketMessage(text: "hello"))
/// connection.send(WebSocketMessage(binary: [0x01, 0x02]))
/// ```
public struct WebSocketMessage: Sendable, Equatable {
    /// The frame opcode of the message.
    public enum Kind: Sendable, Equatable {
        case text
        case binary
    }

    /// Text or binary frame.
    public var kind: Kind
    /// The message's bytes (UTF-8 for text).
    public var payload: [UInt8]

    /// A message of `kind` carrying `payload`.
    ///
    /// ```swift
    /// let m = WebSocketMessage(kind: .binary, payload: bytes)
    /// ```
    public init(kind: Kind, payload: [UInt8]) {
        self.kind = kind
        self.payload = payload
    }

    /// A text message (UTF-8).
    ///
    /// ```swift
    /// let m = WebSocketMessage(text: #"{"hello":1}"#)
    /// ```
    public init(text: String) {
        self.init(kind: .text, payload: Array(text.utf8))
    }

    /// A binary message.
    ///
    /// ```swift
    /// let m = WebSocketMessage(binary: [0xde, 0xad])
    /// ```
    public init(binary: [UInt8]) {
        self.init(kind: .binary, payload: binary)
    }

    /// The payload as UTF-8 text (invalid sequences repaired).
    public var text: String { String(decoding: payload, as: UTF8.self) }
}

/// Close status codes Junction uses (RFC 6455 §7.4.1).
///
/// ```swift
/// connection.close(code: WebSocketCloseCode.normal, reason: "bye")
/// ```
public enum WebSocketCloseCode {
    /// 1000: the purpose of the connection is fulfilled.
    public static let normal: UInt16 = 1000
    /// 1001: the server is going away (shutdown).
    public static let goingAway: UInt16 = 1001
    /// 1005: no status code was present in the peer's close frame (never sent).
    public static let noStatus: UInt16 = 1005
    /// 1006: the connection dropped without a close frame (never sent).
    public static let abnormal: UInt16 = 1006
    /// 1009: a message was bigger than the receiver accepts.
    public static let messageTooBig: UInt16 = 1009
}
