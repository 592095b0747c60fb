/// One request in flight on one libwebsockets connection, from its headers to
/// the last byte of its response. Lives only on the service thread, in
/// ``HTTPServiceLoop``'s table keyed by `id`; the `wsi` pointer is valid for as
/// long as the entry exists (it is removed when lws closes the connection).
final class HTTPConnection {
    /// What the response looks like so far.
    enum Output {
        /// Nothing to send yet (handler still working).
        case none
        /// A whole response: head and Content-Length body.
        case whole(status: Int, headers: [(String, String)], body: [UInt8])
        /// A chunked stream: head not yet written.
        case streamHead(status: Int, headers: [(String, String)])
        /// A chunked stream whose head is on the wire.
        case streaming
    }

    let id: UInt64
    let wsi: OpaquePointer

    // Request, as parsed at LWS_CALLBACK_HTTP.
    var method = ""
    var path = ""
    var query: [String: String] = [:]
    var headers = HTTPHeaders()
    var body: [UInt8] = []
    var handler: HTTPRoute?
    /// Body bytes are read but thrown away (no handler, or already rejected).
    var discardBody = false
    /// The body size limit: the route's, or the server's.
    var bodyLimit = 0
    /// HTTP/1.0 client: no chunked encoding, and close unless it asked for keep-alive.
    var http10 = false
    var http10KeepAlive = false
    /// The client sent `Connection: close`.
    var clientWantsClose = false
    var isHead = false
    /// Send `100 Continue` before the body arrives.
    var needsContinue = false

    // Progress.
    var bodyComplete = false
    /// BODY_COMPLETION calls after the first (see ``HTTPServiceLoop/onBodyComplete(pss:)``).
    var repeatedCompletions = 0
    var dispatched = false
    /// Rx flow control is on: lws neither reads nor spins on this socket
    /// while its handler works (see ``HTTPServiceLoop``).
    var rxPaused = false
    var responder: HTTPResponder?
    var output = Output.none
    var pendingChunks: [[UInt8]] = []
    var endQueued = false
    /// Close the connection after this response instead of keeping it alive.
    var closeAfter = false
    /// A response was decided by the server itself (error status).
    var answeredLocally = false

    init(id: UInt64, wsi: OpaquePointer) {
        self.id = id
        self.wsi = wsi
    }

    /// Chunked transfer encoding is used for streams unless the client speaks HTTP/1.0.
    var usesChunking: Bool { !http10 }
}
