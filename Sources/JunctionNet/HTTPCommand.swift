/// Work a responder hands to the service thread through the ``HTTPInbox``.
/// `id` names the request (its connection-table entry), never a pointer.
enum HTTPCommand: Sendable {
    case respond(id: UInt64, status: Int, headers: [(String, String)], body: [UInt8])
    case startStream(id: UInt64, status: Int, headers: [(String, String)])
    case chunk(id: UInt64, bytes: [UInt8])
    case end(id: UInt64)
    /// A WebSocket connection wants something applied (see ``WebSocketConnection``).
    case webSocket(id: UInt64)

    var id: UInt64 {
        switch self {
        case .respond(let id, _, _, _), .startStream(let id, _, _), .chunk(let id, _), .end(let id), .webSocket(let id):
            return id
        }
    }
}
