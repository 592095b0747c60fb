import CWebSockets

/// Service thread: responses going out (inbox drain, WRITEABLE, keep-alive).
extension HTTPServiceLoop {
    /// `LWS_CALLBACK_EVENT_WAIT_CANCELLED`: apply everything responders sent.
    func drainInbox() {
        inbox.drain(into: &drainBuffer)
        guard !drainBuffer.isEmpty else { return }
        for command in drainBuffer {
            if case .webSocket(let id) = command {
                webSockets[id]?.apply()
                continue
            }
            // The client may have left already: then the id is unknown and the command is dropped.
            guard let conn = connections[command.id], !conn.answeredLocally else { continue }
            switch command {
            case .respond(_, let status, let headers, let body):
                guard case .none = conn.output else { continue }
                conn.output = .whole(status: status, headers: headers, body: body)
            case .startStream(_, let status, let headers):
                guard case .none = conn.output else { continue }
                conn.output = .streamHead(status: status, headers: headers)
            case .chunk(_, let bytes):
                guard !conn.endQueued else { continue }
                conn.pendingChunks.append(bytes)
            case .end:
                conn.endQueued = true
            case .webSocket:
                continue
            }
            resumeRx(conn)
            lws_callback_on_writable(conn.wsi)
        }
        drainBuffer.removeAll(keepingCapacity: true)
    }

    /// `LWS_CALLBACK_HTTP_WRITEABLE`: write whatever is ready in one `lws_write`.
    func onWriteable(wsi: OpaquePointer, pss: UnsafeMutableRawPointer?) -> Int32 {
        guard let conn = connection(pss) else { return 0 }
        let out = writeBuffer
        out.reset()
        var final = false

        switch conn.output {
        case .none:
            if conn.needsContinue {
                conn.needsContinue = false
                out.append("HTTP/1.1 100 Continue\r\n\r\n")
                return lws_write(wsi, out.payload, out.count, LWS_WRITE_HTTP) < 0 ? -1 : 0
            }
            pauseIfIdle(conn, wsi: wsi)
            return 0
        case .whole(let status, let headers, let body):
            let code = Self.validStatus(status)
            let sendBody = Self.allowsBody(code) && !conn.isHead
            guard writeHead(conn, status: code, headers: headers, contentLength: Self.allowsBody(code) ? body.count : nil) else {
                return -1
            }
            if sendBody { out.append(body) }
            final = true
        case .streamHead(let status, let headers):
            let code = Self.validStatus(status)
            if !conn.usesChunking { conn.closeAfter = true }
            guard writeHead(conn, status: code, headers: headers, contentLength: nil) else { return -1 }
            conn.output = .streaming
            final = appendChunks(conn)
        case .streaming:
            final = appendChunks(conn)
        }

        if out.count > 0 {
            let n = lws_write(wsi, out.payload, out.count, final ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP)
            if n < 0 { return -1 }
        }
        if final { return finish(conn, wsi: wsi, pss: pss) }
        pauseIfIdle(conn, wsi: wsi)
        return 0
    }

    /// A stream between chunks: pause rx again once lws has flushed what we
    /// wrote (it calls WRITEABLE again after flushing a partial write).
    private func pauseIfIdle(_ conn: HTTPConnection, wsi: OpaquePointer) {
        guard conn.dispatched, conn.pendingChunks.isEmpty, !conn.endQueued,
              lws_partial_buffered(wsi) == 0 else { return }
        if case .whole = conn.output { return }
        if case .streamHead = conn.output { return }
        pauseRx(conn)
    }

    /// Appends queued stream chunks (chunk-framed unless HTTP/1.0); true once the stream ended.
    private func appendChunks(_ conn: HTTPConnection) -> Bool {
        let out = writeBuffer
        if !conn.isHead {
            for chunk in conn.pendingChunks {
                if conn.usesChunking {
                    out.appendHex(chunk.count)
                    out.append("\r\n")
                    out.append(chunk)
                    out.append("\r\n")
                } else {
                    out.append(chunk)
                }
            }
        }
        conn.pendingChunks.removeAll(keepingCapacity: true)
        guard conn.endQueued else { return false }
        if conn.usesChunking && !conn.isHead { out.append("0\r\n\r\n") }
        return true
    }

    /// The response is on its way: forget the request, then close or go back
    /// to reading the next one on this keep-alive connection.
    private func finish(_ conn: HTTPConnection, wsi: OpaquePointer, pss: UnsafeMutableRawPointer?) -> Int32 {
        connections.removeValue(forKey: conn.id)
        pss?.storeBytes(of: 0, as: UInt64.self)
        conn.responder = nil
        HTTPServerCounters.bump(counters.inFlight, by: -1)
        if conn.closeAfter || conn.clientWantsClose { return -1 }
        // Non-zero: lws decided the connection ends here (HTTP/1.0, Connection: close …).
        return lws_http_transaction_completed(wsi) != 0 ? -1 : 0
    }

    /// Status line, framing headers and the handler's headers. The listener
    /// speaks HTTP/1.x only (its ALPN offers nothing else), so the head is
    /// written here as lws' h1 helpers would write it, except Content-Length,
    /// which lws writes itself to keep count of the body it still expects.
    private func writeHead(_ conn: HTTPConnection, status: Int, headers: [(String, String)], contentLength: Int?) -> Bool {
        let out = writeBuffer
        var estimate = 256
        for (name, value) in headers { estimate += name.utf8.count + value.utf8.count + 4 }
        out.reserve(estimate)

        HTTPStatusLine.append(status, http10: conn.http10, to: out)
        if let contentLength {
            out.reserve(48)  // lws writes "content-length: N\r\n" up to `end`
            var p: UnsafeMutablePointer<UInt8>? = out.cursor
            guard lws_add_http_header_content_length(conn.wsi, lws_filepos_t(contentLength), &p, out.end) == 0, let p else {
                return false
            }
            out.count = p - out.payload
        } else if conn.usesChunking && Self.allowsBody(status) {
            out.append("transfer-encoding: chunked\r\n")
        }
        for (name, value) in headers {
            let isConnection = HTTPHeaders.equalsIgnoringASCIICase("connection", name)
            if isConnection || HTTPHeaders.equalsIgnoringASCIICase("content-length", name)
                || HTTPHeaders.equalsIgnoringASCIICase("transfer-encoding", name) {
                if isConnection && value.lowercased().contains("close") { conn.closeAfter = true }
                continue
            }
            guard HTTPToken.isValid(name), Self.isFieldValue(value) else {
                logger.warning("dropping invalid response header", metadata: ["header": "\(name)"])
                continue
            }
            out.appendUTF8(name)
            out.append(": ")
            out.appendUTF8(value)
            out.append("\r\n")
        }
        if conn.closeAfter || conn.clientWantsClose || (conn.http10 && !conn.http10KeepAlive) {
            out.append("connection: close\r\n")
            conn.closeAfter = true
        } else if conn.http10 {
            out.append("connection: keep-alive\r\n")
        }
        out.append("\r\n")
        return true
    }

    static func validStatus(_ status: Int) -> Int {
        (200...599).contains(status) ? status : 500
    }

    /// 204 and 304 carry neither a body nor Content-Length.
    static func allowsBody(_ status: Int) -> Bool {
        status != 204 && status != 304
    }

    /// No CR, LF or NUL: a value must not be able to start a new header line.
    static func isFieldValue(_ s: String) -> Bool {
        !s.utf8.contains { $0 == 0x0d || $0 == 0x0a || $0 == 0 }
    }
}
