import Foundation

/// A tiny blocking HTTP/1.1 client on a raw socket, for tests: it sends
/// exactly the bytes we say and reports exactly what came back (status,
/// headers, body, the individual chunks of a chunked body, and whether the
/// server closed the connection).
///
/// `@unchecked Sendable`: a test hands a client between threads but only
/// ever uses it from one at a time.
final class RawHTTPClient: @unchecked Sendable {
    struct Response {
        var status: Int
        var headers: [String: String]
        var body: [UInt8]
        var chunks: [[UInt8]] = []
        /// The status line as sent, without its CRLF.
        var statusLine = ""
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    enum ClientError: Error, CustomStringConvertible {
        case connect(Int32)
        case closed
        case timeout
        case malformed(String)
        var description: String {
            switch self {
            case .connect(let e): return "connect failed: errno \(e)"
            case .closed: return "connection closed by server"
            case .timeout: return "timed out waiting for the server"
            case .malformed(let s): return "malformed response: \(s)"
            }
        }
    }

    let fd: Int32
    private var buffer: [UInt8] = []
    private var isClosed = false

    init(port: Int, timeout: Double = 15) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClientError.connect(errno) }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard rc == 0 else {
            let e = errno
            Glibc.close(fd)
            throw ClientError.connect(e)
        }
    }

    deinit { close() }

    func close() {
        guard !isClosed else { return }
        isClosed = true
        Glibc.close(fd)
    }

    /// Sends everything; returns false if the server stopped accepting bytes.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    static func request(
        _ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
        contentLength: Bool = true
    ) -> [UInt8] {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let body, contentLength { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        return Array(head.utf8) + (body ?? [])
    }

    /// Sends one request and reads its response.
    func roundTrip(
        _ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil
    ) throws -> Response {
        guard send(Self.request(method, path, headers: headers, body: body)) else { throw ClientError.closed }
        return try readResponse(method: method)
    }

    /// Reads one response: head, then a Content-Length, chunked or until-close body.
    func readResponse(method: String = "GET") throws -> Response {
        var response = try readHead()
        if method == "HEAD" || response.status == 204 || response.status == 304 {
            return response
        }
        if let length = response.headers["content-length"].flatMap(Int.init) {
            response.body = try readExactly(length)
        } else if response.headers["transfer-encoding"]?.lowercased() == "chunked" {
            while let chunk = try readChunk() {
                response.chunks.append(chunk)
                response.body += chunk
            }
        } else {
            response.body = try readToEnd()
        }
        return response
    }

    /// Reads the status line and headers (skipping any `100 Continue`).
    func readHead() throws -> Response {
        while true {
            let head = try readUntil(Array("\r\n\r\n".utf8))
            let lines = String(decoding: head, as: UTF8.self).components(separatedBy: "\r\n")
            let statusParts = lines[0].split(separator: " ")
            guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."), let status = Int(statusParts[1]) else {
                throw ClientError.malformed(lines[0])
            }
            var headers: [String: String] = [:]
            for line in lines.dropFirst() where !line.isEmpty {
                guard let colon = line.firstIndex(of: ":") else { throw ClientError.malformed(line) }
                let name = line[..<colon].lowercased()
                let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                headers[name] = headers[name].map { $0 + "," + value } ?? value
            }
            if status == 100 { continue }
            return Response(status: status, headers: headers, body: [], statusLine: lines[0])
        }
    }

    /// One chunk of a chunked body, or nil at the terminating zero chunk.
    func readChunk() throws -> [UInt8]? {
        let sizeLine = String(decoding: try readUntil(Array("\r\n".utf8)), as: UTF8.self)
        guard let size = Int(sizeLine.split(separator: ";")[0], radix: 16) else {
            throw ClientError.malformed("chunk size \(sizeLine)")
        }
        if size == 0 {
            _ = try readUntil(Array("\r\n".utf8))
            return nil
        }
        let data = try readExactly(size)
        guard try readExactly(2) == Array("\r\n".utf8) else { throw ClientError.malformed("chunk trailer") }
        return data
    }

    /// True if the server closed the connection (read returns 0 or reset) within the timeout.
    func waitForClose() -> Bool {
        var scratch = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = scratch.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { return true }
            if n < 0 { return errno == ECONNRESET || errno == EPIPE }
        }
    }

    /// Whether the server has sent anything (or closed) within `seconds`.
    func hasData(within seconds: Double) -> Bool {
        if !buffer.isEmpty { return true }
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&pfd, 1, Int32(seconds * 1000)) > 0
    }

    private func fill() throws {
        var scratch = [UInt8](repeating: 0, count: 64 * 1024)
        let n = scratch.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n > 0 {
            buffer += scratch[0..<n]
        } else if n == 0 {
            throw ClientError.closed
        } else if errno == EAGAIN || errno == EWOULDBLOCK {
            throw ClientError.timeout
        } else {
            throw ClientError.closed
        }
    }

    private func readUntil(_ delimiter: [UInt8]) throws -> [UInt8] {
        var searchFrom = 0
        while true {
            if buffer.count >= delimiter.count {
                var i = searchFrom
                while i + delimiter.count <= buffer.count {
                    if buffer[i..<(i + delimiter.count)].elementsEqual(delimiter) {
                        let out = Array(buffer[0..<i])
                        buffer.removeFirst(i + delimiter.count)
                        return out
                    }
                    i += 1
                }
                searchFrom = max(0, buffer.count - delimiter.count + 1)
            }
            try fill()
        }
    }

    private func readExactly(_ count: Int) throws -> [UInt8] {
        while buffer.count < count { try fill() }
        let out = Array(buffer[0..<count])
        buffer.removeFirst(count)
        return out
    }

    private func readToEnd() throws -> [UInt8] {
        while true {
            do { try fill() } catch ClientError.closed { break }
        }
        let out = buffer
        buffer = []
        return out
    }
}
