import CWebSockets

/// The service thread's side of one established WebSocket (server or client):
/// the `wsi`, the message being reassembled, the one being written, and the
/// rx flow-control state lws was last told. Lives only on the service thread;
/// `wsi` is valid until lws reports the connection closed.
final class WebSocketSession {
    let wsi: OpaquePointer
    let connection: WebSocketConnection
    /// Server side: where whole messages go. Client side: nil.
    let endpoint: WebSocketEndpoint?
    let maxMessageSize: Int

    private var rx: [UInt8] = []
    private var rxKind = WebSocketMessage.Kind.text
    private var rxStarted = false
    /// What lws was last told (`lws_rx_flow_control`).
    private(set) var rxPaused = false
    /// Bytes of the head message already written (fragments sent).
    private var writeOffset = 0
    /// The run of queued messages being written (reused between runs).
    private var outgoing: [WebSocketMessage] = []
    /// Code and reason of the peer's close frame, when it sent one.
    var peerClose: (code: UInt16, reason: String)?
    /// We closed it (1009, or a requested close): the code we sent.
    var localClose: (code: UInt16, reason: String)?

    /// Largest piece written per `lws_write`; bigger messages go out as fragments.
    static let chunkSize = 64 * 1024
    /// Bytes written per WRITEABLE callback at most, so one connection can't hog the thread.
    static let writeBudget = 256 * 1024
    /// Messages taken from the connection's queue at a time.
    static let runLength = 256

    enum Received {
        case partial
        case message(WebSocketMessage)
        /// Over `maxMessageSize`: close with 1009.
        case tooBig
    }

    init(wsi: OpaquePointer, connection: WebSocketConnection, endpoint: WebSocketEndpoint?, maxMessageSize: Int) {
        self.wsi = wsi
        self.connection = connection
        self.endpoint = endpoint
        self.maxMessageSize = maxMessageSize
    }

    /// `LWS_CALLBACK_RECEIVE` / `CLIENT_RECEIVE`: one piece of a frame.
    func receive(_ input: UnsafeMutableRawPointer?, _ count: Int) -> Received {
        if !rxStarted {
            rxStarted = true
            rxKind = lws_frame_is_binary(wsi) != 0 ? .binary : .text
        }
        let remaining = Int(lws_remaining_packet_payload(wsi))
        guard rx.count + count + remaining <= maxMessageSize else {
            rx = []
            rxStarted = false
            return .tooBig
        }
        if let input, count > 0 {
            rx.append(contentsOf: UnsafeRawBufferPointer(start: input, count: count))
        }
        guard lws_is_final_fragment(wsi) != 0, remaining == 0 else { return .partial }
        let message = WebSocketMessage(kind: rxKind, payload: rx)
        rx = []
        rxStarted = false
        return .message(message)
    }

    /// Closes with 1009 (lws sends the close frame when the callback returns -1).
    func refuseTooBig() -> Int32 {
        closeNow(code: WebSocketCloseCode.messageTooBig, reason: "message larger than \(maxMessageSize) bytes")
    }

    /// Applies what the connection's owner asked for since the last wake-up.
    func apply() {
        let wanted = connection.wanted()
        setRxPaused(wanted.paused)
        if wanted.hasOutput || wanted.closeRequest != nil { lws_callback_on_writable(wsi) }
    }

    func setRxPaused(_ paused: Bool) {
        guard paused != rxPaused else { return }
        rxPaused = paused
        lws_rx_flow_control(wsi, paused ? 0 : 1)
    }

    /// `SERVER_WRITEABLE` / `CLIENT_WRITEABLE`: write queued messages (as
    /// fragments when large) while the socket takes them, then a due close.
    ///
    /// Messages are taken from the connection a run at a time and accounted
    /// for once per run, so a sender on another thread meets the
    /// connection's lock twice per run rather than twice per message.
    func writeable(_ out: LWSWriteBuffer) -> Int32 {
        var budget = Self.writeBudget
        var fd: Int32 = -1
        defer { if fd >= 0 { junction_tcp_cork(fd, 0) } }
        while true {
            connection.peekQueued(into: &outgoing, limit: Self.runLength)
            if outgoing.isEmpty { break }
            // Several frames waiting: cork the socket so they leave in full
            // segments, not one packet (and one wake-up of the peer) per frame.
            if fd < 0 && outgoing.count > 1 {
                fd = lws_get_socket_fd(wsi)
                if fd >= 0 { junction_tcp_cork(fd, 1) }
            }
            var bytes = 0
            var completed = 0
            var more = true
            runLoop: for message in outgoing {
                while true {
                    let (n, final) = write(message, out)
                    if n < 0 {
                        connection.wrote(bytes, completed: completed)
                        return -1
                    }
                    bytes += n
                    if final { completed += 1 }
                    budget -= n + 16
                    // lws_partial_buffered, not lws_send_pipe_choked: the
                    // latter is a poll(2) per call, one more system call per frame.
                    if budget <= 0 || lws_partial_buffered(wsi) != 0 {
                        more = false
                        break runLoop
                    }
                    if final { break }
                }
            }
            connection.wrote(bytes, completed: completed)
            if !more {
                lws_callback_on_writable(wsi)
                outgoing.removeAll(keepingCapacity: true)
                return 0
            }
        }
        if let close = connection.closeDue { return closeNow(code: close.code, reason: close.reason) }
        return 0
    }

    /// Writes the next piece of `message` (all of it, or the next fragment
    /// of a large one): its byte count (-1 when lws failed) and whether it
    /// was the last.
    private func write(_ message: WebSocketMessage, _ out: LWSWriteBuffer) -> (Int, Bool) {
        let total = message.payload.count
        let n = min(Self.chunkSize, total - writeOffset)
        out.reset()
        out.reserve(n)
        if n > 0 {
            message.payload.withUnsafeBufferPointer { src in
                if let base = src.baseAddress { out.cursor.update(from: base + writeOffset, count: n) }
            }
        }
        out.count = n
        let first = writeOffset == 0
        let final = writeOffset + n == total
        let flags = junction_ws_write_flags(message.kind == .binary ? 1 : 0, first ? 1 : 0, final ? 1 : 0)
        if lws_write(wsi, out.payload, n, lws_write_protocol(UInt32(bitPattern: flags))) < 0 { return (-1, false) }
        writeOffset = final ? 0 : writeOffset + n
        return (n, final)
    }

    /// Sets the close frame's code and reason; the caller returns -1 to lws.
    func closeNow(code: UInt16, reason: String) -> Int32 {
        localClose = (code, reason)
        var bytes = Array(reason.utf8.prefix(123))
        bytes.withUnsafeMutableBufferPointer { buffer in
            lws_close_reason(wsi, lws_close_status(UInt32(code)), buffer.baseAddress, buffer.count)
        }
        return -1
    }

    /// `WS_PEER_INITIATED_CLOSE`: the close frame's payload (code, reason).
    func peerClosed(_ input: UnsafeMutableRawPointer?, _ count: Int) {
        guard let input, count >= 2 else {
            peerClose = (WebSocketCloseCode.noStatus, "")
            return
        }
        let bytes = UnsafeRawBufferPointer(start: input, count: count)
        let code = UInt16(bytes[0]) << 8 | UInt16(bytes[1])
        peerClose = (code, String(decoding: bytes[2...], as: UTF8.self))
    }

    /// How the connection ended, for the close callbacks.
    var closeStatus: (code: UInt16, reason: String) {
        peerClose ?? localClose ?? (WebSocketCloseCode.abnormal, "")
    }

    /// The peer's address as `ip:port`.
    static func peerAddress(_ wsi: OpaquePointer) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        let fd = lws_get_socket_fd(wsi)
        buffer.withUnsafeMutableBufferPointer { junction_peer_address(fd, $0.baseAddress, $0.count) }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
