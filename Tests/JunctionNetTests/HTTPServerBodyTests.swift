import Foundation
@testable import JunctionNet
import Testing

@Suite("HTTPServer request bodies")
struct HTTPServerBodyTests {
    static let mebibyte = 1024 * 1024

    @Test("A body of exactly maxBodySize is accepted; one byte more gets 413 and a closed connection")
    func bodyLimit() async throws {
        let server = try startedServer({ $0.maxBodySize = Self.mebibyte }) { $0.mount("/echo", handler: echoHandler) }
        defer { server.stop() }
        let port = server.port

        let exact = [UInt8](repeating: 0x61, count: Self.mebibyte)
        let ok = try await onThread { try RawHTTPClient(port: port).roundTrip("POST", "/echo", body: exact) }
        #expect(ok.status == 200)
        #expect(ok.body.count == Self.mebibyte)
        #expect(ok.body == exact)

        let (tooBig, closed) = try await onThread { () -> (RawHTTPClient.Response, Bool) in
            let client = try RawHTTPClient(port: port)
            // The server may close before it has read everything; keep going and read the answer.
            client.send(RawHTTPClient.request("POST", "/echo", body: [UInt8](repeating: 0x62, count: Self.mebibyte + 1)))
            let response = try client.readResponse(method: "POST")
            return (response, client.waitForClose())
        }
        #expect(tooBig.status == 413)
        #expect(tooBig.headers["connection"] == "close")
        #expect(tooBig.text.contains("too large"))
        #expect(closed)
        #expect(server.stats.rejected == 1)
    }

    @Test("Expect: 100-continue gets 100 first, or 413 at once when the body would be too large")
    func expectContinue() async throws {
        let server = try startedServer({ $0.maxBodySize = 1000 }) { $0.mount("/echo", handler: echoHandler) }
        defer { server.stop() }
        let port = server.port
        let (interim, final, refused) = try await onThread { () -> (String, RawHTTPClient.Response, RawHTTPClient.Response) in
            let client = try RawHTTPClient(port: port)
            let head = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"
            client.send(Array(head.utf8))
            var interim = ""
            if client.hasData(within: 10) {
                var bytes = [UInt8](repeating: 0, count: 25)
                let n = recv(client.fd, &bytes, 25, Int32(MSG_PEEK))
                interim = String(decoding: bytes[0..<max(0, n)], as: UTF8.self)
            }
            client.send(Array("hello".utf8))
            let final = try client.readResponse(method: "POST")

            let other = try RawHTTPClient(port: port)
            other.send(Array("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n".utf8))
            let refused = try other.readResponse(method: "POST")
            return (interim, final, refused)
        }
        #expect(interim.hasPrefix("HTTP/1.1 100 Continue"))
        #expect(final.status == 200)
        #expect(final.text == "hello")
        #expect(refused.status == 413)
    }

    @Test("Chunked request bodies are refused with 411 and a clear message")
    func chunkedRequestBody() async throws {
        let server = try startedServer { $0.mount("/echo", handler: echoHandler) }
        defer { server.stop() }
        let port = server.port
        let response = try await onThread { () -> RawHTTPClient.Response in
            let client = try RawHTTPClient(port: port)
            let body = "5\r\nhello\r\n0\r\n\r\n"
            client.send(RawHTTPClient.request(
                "POST", "/echo", headers: [("Transfer-Encoding", "chunked")], body: Array(body.utf8), contentLength: false))
            return try client.readResponse(method: "POST")
        }
        #expect(response.status == 411)
        #expect(response.text.contains("Content-Length"))
    }

    @Test("POST without Content-Length is served with an empty body, then the connection closes")
    func postWithoutLength() async throws {
        let received = Box(-1)
        let server = try startedServer { server in
            server.mount("/count") { request, responder in
                received.set(request.body.count)
                responder.respond(status: 200, body: Array("ok".utf8))
            }
        }
        defer { server.stop() }
        let port = server.port
        let (response, closed) = try await onThread { () -> (RawHTTPClient.Response, Bool) in
            let client = try RawHTTPClient(port: port)
            client.send(Array("POST /count HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
            let response = try client.readResponse(method: "POST")
            return (response, client.waitForClose())
        }
        #expect(response.status == 200)
        #expect(response.headers["connection"] == "close")
        #expect(received.get() == 0)
        #expect(closed)
    }

    @Test("Malformed or duplicated Content-Length gets 400")
    func badContentLength() async throws {
        let server = try startedServer { $0.mount("/echo", handler: echoHandler) }
        defer { server.stop() }
        let port = server.port
        let statuses = try await onThread { () -> [Int] in
            try ["Content-Length: -5\r\n", "Content-Length: 12abc\r\n", "Content-Length: 3\r\nContent-Length: 3\r\n",
                 "Content-Length: 99999999999999999999999\r\n"].map { header in
                let client = try RawHTTPClient(port: port)
                client.send(Array("POST /echo HTTP/1.1\r\nHost: x\r\n\(header)\r\nabc".utf8))
                return try client.readResponse(method: "POST").status
            }
        }
        #expect(statuses == [400, 400, 400, 400])
    }

    @Test("Content-Length parsing is strict")
    func contentLengthParser() {
        #expect(HTTPServiceLoop.parseContentLength("42") == 42)
        #expect(HTTPServiceLoop.parseContentLength(" 7 ") == 7)
        #expect(HTTPServiceLoop.parseContentLength("0") == 0)
        #expect(HTTPServiceLoop.parseContentLength("") == nil)
        #expect(HTTPServiceLoop.parseContentLength("+1") == nil)
        #expect(HTTPServiceLoop.parseContentLength("1,1") == nil)
        #expect(HTTPServiceLoop.parseContentLength("18446744073709551616") == nil)
    }
}
