import CWebSockets
import Logging

/// Service thread: requests coming in (head, body, completion, departure).
extension HTTPServiceLoop {
    /// The connection table entry named by this wsi's per-session data.
    func connection(_ pss: UnsafeMutableRawPointer?) -> HTTPConnection? {
        guard let pss else { return nil }
        let id = pss.load(as: UInt64.self)
        return id == 0 ? nil : connections[id]
    }

    /// `LWS_CALLBACK_HTTP`: the request head is parsed; `uri` is the decoded path.
    func onRequestHead(
        wsi: OpaquePointer, pss: UnsafeMutableRawPointer?,
        uri: UnsafeMutableRawPointer?, uriLength: Int
    ) -> Int32 {
        guard let pss else { return -1 }
        if let inFlight = connection(pss) {
            // lws holds pipelined requests until the one in flight is
            // answered, so this can't happen; if it ever does, the header
            // table was reused under us and neither request can be trusted.
            HTTPServerCounters.bump(counters.rejected)
            logger.warning("closing connection: request head while one is in flight", metadata: [
                "method": "\(inFlight.method)", "path": "\(inFlight.path)",
            ])
            return -1
        }
        nextID &+= 1
        let conn = HTTPConnection(id: nextID, wsi: wsi)
        pss.storeBytes(of: conn.id, as: UInt64.self)
        connections[conn.id] = conn
        HTTPServerCounters.bump(counters.requests)
        HTTPServerCounters.bump(counters.inFlight)

        readHead(conn, uri: uri, uriLength: uriLength)

        if headerReader.has(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) {
            reject(conn, status: 411, "chunked request bodies are not supported; send Content-Length")
            return 0
        }
        let contentLength: Int?
        if let raw = headerReader.value(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH) {
            guard let n = Self.parseContentLength(raw) else {
                reject(conn, status: 400, "invalid Content-Length")
                return 0
            }
            contentLength = n
        } else {
            contentLength = nil
        }
        conn.handler = router.route(conn.path, cache: &routeCache)
        if let route = conn.handler { conn.headers = headerReader.headers(wsi, route.headers) }
        conn.discardBody = conn.handler == nil
        conn.bodyLimit = conn.handler?.maxBody ?? config.maxBodySize
        if let n = contentLength, n > conn.bodyLimit {
            reject(conn, status: 413, "request body too large (limit \(conn.bodyLimit) bytes)")
            return 0
        }

        switch contentLength {
        case .some(let n) where n > 0:
            if !conn.discardBody { conn.body.reserveCapacity(n) }
            if !conn.http10, let expect = headerReader.value(wsi, WSI_TOKEN_HTTP_EXPECT),
               expect.lowercased() == "100-continue" {
                conn.needsContinue = true
                lws_callback_on_writable(wsi)
            }
        case .some:
            // Empty body. lws still sends BODY_COMPLETION for POST; completion is idempotent.
            complete(conn)
        case .none:
            if ["POST", "PUT", "PATCH"].contains(conn.method) {
                // lws would wait for a body up to its own 100 MB default; per
                // HTTP/1.1 there is none. Serve it empty and close afterwards so
                // the unread stream can't be mistaken for a next request.
                conn.closeAfter = true
            }
            complete(conn)
        }
        return 0
    }

    /// `LWS_CALLBACK_HTTP_BODY`: a piece of the body (lws stops at Content-Length).
    func onBody(pss: UnsafeMutableRawPointer?, bytes: UnsafeMutableRawPointer?, count: Int) -> Int32 {
        guard let conn = connection(pss), !conn.discardBody, let bytes, count > 0 else { return 0 }
        guard conn.body.count + count <= conn.bodyLimit else {
            conn.body = []
            reject(conn, status: 413, "request body too large (limit \(conn.bodyLimit) bytes)")
            return 0
        }
        conn.body.append(contentsOf: UnsafeRawBufferPointer(start: bytes, count: count))
        return 0
    }

    /// `LWS_CALLBACK_HTTP_BODY_COMPLETION`.
    ///
    /// libwebsockets 4.1 replays a pipelined request's stashed bytes while the
    /// one before it still waits for its handler, calling BODY_COMPLETION
    /// again and again inside one service pass without consuming them. Left
    /// alone, that spins the service thread and starves every client, so a
    /// connection caught in it is closed; its responder's `onClose` fires.
    func onBodyComplete(pss: UnsafeMutableRawPointer?) -> Int32 {
        guard let conn = connection(pss) else { return 0 }
        if conn.bodyComplete {
            conn.repeatedCompletions += 1
            if conn.repeatedCompletions > Self.repeatedCompletionLimit {
                HTTPServerCounters.bump(counters.rejected)
                logger.warning("closing connection: pipelined request while a response is pending", metadata: [
                    "method": "\(conn.method)", "path": "\(conn.path)",
                ])
                return -1
            }
            return 0
        }
        complete(conn)
        return 0
    }

    /// Repeated BODY_COMPLETIONs tolerated for one request (lws sends a
    /// second one in ordinary flows too).
    static let repeatedCompletionLimit = 16

    /// The whole request is in: hand it to its handler, or answer 404.
    func complete(_ conn: HTTPConnection) {
        guard !conn.bodyComplete else { return }
        conn.bodyComplete = true
        conn.needsContinue = false
        guard !conn.answeredLocally else { return }
        guard let route = conn.handler else {
            HTTPServerCounters.bump(counters.notFound)
            answer(conn, status: 404, "not found")
            return
        }
        let responder = HTTPResponder(id: conn.id, inbox: inbox, queue: handlerQueue)
        conn.responder = responder
        conn.dispatched = true
        let request = HTTPRequest(
            method: conn.method, path: conn.path, query: conn.query,
            headers: conn.headers, body: conn.body)
        conn.body = []
        conn.headers = HTTPHeaders()
        conn.query = [:]
        guard route.inline else {
            pauseRx(conn)
            dispatchBatch.append((route.handler, request, responder))
            return
        }
        // Inline: answer in this same service pass when the handler answers
        // at once; otherwise wait like a dispatched request.
        inbox.inlineWorkRunning = true
        route.handler(request, responder)
        inbox.inlineWorkRunning = false
        drainInbox()
        if case .none = conn.output, conn.pendingChunks.isEmpty, !conn.endQueued { pauseRx(conn) }
    }

    /// Refuses the request right away and closes the connection after the
    /// answer, without reading (or keeping) the rest of its body.
    func reject(_ conn: HTTPConnection, status: Int, _ message: String) {
        HTTPServerCounters.bump(counters.rejected)
        logger.info("rejected HTTP request", metadata: [
            "status": "\(status)", "reason": "\(message)", "method": "\(conn.method)", "path": "\(conn.path)",
        ])
        conn.discardBody = true
        conn.closeAfter = true
        conn.needsContinue = false
        answer(conn, status: status, message)
    }

    /// Queues a server-made error response (JSON by default).
    func answer(_ conn: HTTPConnection, status: Int, _ message: String) {
        conn.answeredLocally = true
        conn.pendingChunks = []
        conn.output = .whole(
            status: status, headers: [("Content-Type", "application/json")],
            body: config.errorBody(conn.path, status, message))
        lws_callback_on_writable(conn.wsi)
    }

    /// The connection closed (or lws unbinds us): if a request was still
    /// unanswered, tell its responder the client is gone.
    func onConnectionGone(pss: UnsafeMutableRawPointer?) {
        guard let pss else { return }
        let id = pss.load(as: UInt64.self)
        guard id != 0 else { return }
        pss.storeBytes(of: 0, as: UInt64.self)
        if WebSocketConnection.isWebSocketID(id) {
            webSocketGone(id: id)
            return
        }
        guard let conn = connections.removeValue(forKey: id) else { return }
        HTTPServerCounters.bump(counters.inFlight, by: -1)
        if let responder = conn.responder {
            HTTPServerCounters.bump(counters.clientsGone)
            responder.clientWentAway()
        }
    }

    /// Method, path, query and connection semantics, copied out of lws (the
    /// headers come once the route is known: it says which it needs).
    private func readHead(_ conn: HTTPConnection, uri: UnsafeMutableRawPointer?, uriLength: Int) {
        let wsi = conn.wsi
        conn.method = Self.method(wsi)
        conn.isHead = conn.method == "HEAD"
        if let uri, uriLength > 0 {
            conn.path = String(decoding: UnsafeRawBufferPointer(start: uri, count: uriLength), as: UTF8.self)
        } else {
            conn.path = "/"
        }
        conn.query = headerReader.query(wsi)
        if let version = headerReader.value(wsi, WSI_TOKEN_HTTP), version.hasSuffix("1.0") {
            conn.http10 = true
        }
        if let connection = headerReader.value(wsi, WSI_TOKEN_CONNECTION)?.lowercased() {
            conn.clientWantsClose = connection.contains("close")
            conn.http10KeepAlive = conn.http10 && connection.contains("keep-alive")
        }
    }

    private static let methods: [(lws_token_indexes, String)] = [
        (WSI_TOKEN_GET_URI, "GET"), (WSI_TOKEN_POST_URI, "POST"), (WSI_TOKEN_PUT_URI, "PUT"),
        (WSI_TOKEN_PATCH_URI, "PATCH"), (WSI_TOKEN_DELETE_URI, "DELETE"),
        (WSI_TOKEN_OPTIONS_URI, "OPTIONS"), (WSI_TOKEN_HEAD_URI, "HEAD"),
    ]

    private static func method(_ wsi: OpaquePointer) -> String {
        for (token, name) in methods where lws_hdr_total_length(wsi, token) > 0 {
            return name
        }
        return "GET"
    }

    /// Strict decimal Content-Length; `nil` for anything else (sign, junk, overflow).
    static func parseContentLength(_ raw: String) -> Int? {
        let digits = raw.utf8.drop { $0 == 0x20 || $0 == 0x09 }
        var value = 0
        var sawDigit = false
        for byte in digits {
            if byte == 0x20 || byte == 0x09 { break }
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(Int(byte - 0x30))
            guard !o1, !o2 else { return nil }
            value = sum
            sawDigit = true
        }
        return sawDigit ? value : nil
    }
}
