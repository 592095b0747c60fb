import Foundation
@testable import JunctionNet
import Synchronization
import Testing

@Suite("HTTPServer basics")
struct HTTPServerBasicsTests {
    @Test("GET passes method, path, query and headers to the handler")
    func getRequest() async throws {
        let server = try startedServer { $0.mount("/echo", handler: echoHandler) }
        defer { server.stop() }
        let port = server.port
        #expect(port > 0)

        let response = try await onThread {
            try RawHTTPClient(port: port).roundTrip("GET", "/echo?b=2&a=hello%20world&flag", headers: [("X-Test", "yes")])
        }
        #expect(response.status == 200)
        #expect(response.headers["x-method"] == "GET")
        #expect(response.headers["x-path"] == "/echo")
        #expect(response.headers["x-query"] == "a=hello world&b=2&flag=")
        #expect(response.headers["x-test"] == "-", "non-standard headers are only captured when configured")
        #expect(response.headers["content-length"] == "0")
        #expect(response.body.isEmpty)
    }

    @Test("Configured extra headers reach the handler")
    func extraHeaders() async throws {
        let server = try startedServer({ $0.extraHeaders = ["x-test"] }) { $0.mount("/echo", handler: echoHandler) }
        defer { server.stop() }
        let port = server.port
        let response = try await onThread {
            try RawHTTPClient(port: port).roundTrip("GET", "/echo", headers: [("X-Test", "Yes Please")])
        }
        #expect(response.headers["x-test"] == "Yes Please")
    }

    @Test("A route that selects headers gets those it named and no others")
    func selectedHeaders() async throws {
        let seen = Mutex<[String: HTTPHeaders]>([:])
        let record: @Sendable (HTTPRequest, HTTPResponder) -> Void = { request, responder in
            seen.withLock { $0[request.path] = request.headers }
            responder.respond(status: 204, headers: [], body: [])
        }
        let server = try startedServer({ $0.extraHeaders = ["x-test"] }) {
            $0.mount("/some", headers: .only(["Cookie", "x-test", "x-absent"]), handler: record)
            $0.mount("/all", handler: record)
        }
        defer { server.stop() }
        let port = server.port
        let sent = [("Cookie", "JSESSIONID=abc"), ("X-Test", "yes"), ("User-Agent", "probe"), ("Accept", "*/*")]
        for path in ["/some", "/all"] {
            let response = try await onThread { try RawHTTPClient(port: port).roundTrip("GET", path, headers: sent) }
            #expect(response.status == 204)
        }
        let some = try #require(seen.withLock { $0["/some"] })
        #expect(some.map(\.name).sorted() == ["cookie", "x-test"])
        #expect(some["cookie"] == "JSESSIONID=abc" && some["X-Test"] == "yes")
        let all = try #require(seen.withLock { $0["/all"] })
        #expect(all["user-agent"] == "probe" && all["accept"] == "*/*" && all["cookie"] == "JSESSIONID=abc" && all["x-test"] == "yes")
    }

    @Test("POST bodies arrive whole, with their headers")
    func postBody() async throws {
        let server = try startedServer { $0.mount("/echo", handler: echoHandler) }
        defer { server.stop() }
        let port = server.port
        let body = Array((0..<50_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let response = try await onThread {
            try RawHTTPClient(port: port).roundTrip(
                "POST", "/echo", headers: [("Content-Type", "application/json")], body: body)
        }
        #expect(response.status == 200)
        #expect(response.headers["x-method"] == "POST")
        #expect(response.headers["x-content-type"] == "application/json")
        #expect(response.body == body)
    }

    @Test("PUT, DELETE and OPTIONS reach handlers as sent")
    func otherMethods() async throws {
        let server = try startedServer { $0.mount("/echo", handler: echoHandler) }
        defer { server.stop() }
        let port = server.port
        let methods = try await onThread { () -> [String] in
            let client = try RawHTTPClient(port: port)
            return try ["PUT", "DELETE", "OPTIONS", "PATCH"].map { method in
                try client.roundTrip(method, "/echo", body: Array("x".utf8)).headers["x-method"] ?? "?"
            }
        }
        #expect(methods == ["PUT", "DELETE", "OPTIONS", "PATCH"])
    }

    @Test("Unknown paths get 404 with a JSON body, and the connection stays usable")
    func notFound() async throws {
        let server = try startedServer { $0.mount("/echo", handler: echoHandler) }
        defer { server.stop() }
        let port = server.port
        let (missing, withBody, after) = try await onThread { () -> (RawHTTPClient.Response, RawHTTPClient.Response, RawHTTPClient.Response) in
            let client = try RawHTTPClient(port: port)
            let missing = try client.roundTrip("GET", "/nope")
            let withBody = try client.roundTrip("POST", "/echo/deeper", body: Array(repeating: 7, count: 1000))
            let after = try client.roundTrip("GET", "/echo")
            return (missing, withBody, after)
        }
        #expect(missing.status == 404)
        #expect(missing.headers["content-type"] == "application/json")
        #expect(missing.text == #"{"error":"not found"}"#)
        #expect(withBody.status == 404)
        #expect(after.status == 200)
        #expect(server.stats.notFound == 2)
    }

    @Test("Prefix mounts match the path and everything below it; exact mounts win")
    func prefixMounts() async throws {
        let server = try startedServer { server in
            server.mount("/api", prefix: true) { _, r in r.respond(status: 200, body: Array("prefix".utf8)) }
            server.mount("/api/special") { _, r in r.respond(status: 200, body: Array("exact".utf8)) }
        }
        defer { server.stop() }
        let port = server.port
        let bodies = try await onThread { () -> [String] in
            let client = try RawHTTPClient(port: port)
            return try ["/api", "/api/x/y", "/api/special", "/apix"].map { try client.roundTrip("GET", $0).text }
        }
        #expect(bodies == ["prefix", "prefix", "exact", #"{"error":"not found"}"#])
    }

    @Test("HEAD gets headers without a body; 204 carries no body")
    func headAndNoContent() async throws {
        let server = try startedServer { server in
            server.mount("/page") { _, r in r.respond(status: 200, headers: [("Content-Type", "text/plain")], body: Array("hello".utf8)) }
            server.mount("/empty") { _, r in r.respond(status: 204, body: Array("ignored".utf8)) }
        }
        defer { server.stop() }
        let port = server.port
        let (head, empty, next) = try await onThread { () -> (RawHTTPClient.Response, RawHTTPClient.Response, RawHTTPClient.Response) in
            let client = try RawHTTPClient(port: port)
            let head = try client.roundTrip("HEAD", "/page")
            let empty = try client.roundTrip("GET", "/empty")
            let next = try client.roundTrip("GET", "/page")
            return (head, empty, next)
        }
        #expect(head.status == 200)
        #expect(head.headers["content-length"] == "5")
        #expect(empty.status == 204)
        #expect(empty.headers["content-length"] == nil)
        #expect(next.text == "hello", "no stray body bytes before the next response")
    }

    @Test("Response headers with CR/LF are dropped, not injected")
    func headerInjection() async throws {
        let server = try startedServer { server in
            server.mount("/x") { _, r in
                r.respond(status: 200, headers: [("X-Ok", "1"), ("X-Bad", "a\r\nSet-Cookie: evil=1"), ("Bad Name", "v")], body: [])
            }
        }
        defer { server.stop() }
        let port = server.port
        let response = try await onThread { try RawHTTPClient(port: port).roundTrip("GET", "/x") }
        #expect(response.status == 200)
        #expect(response.headers["x-ok"] == "1")
        #expect(response.headers["set-cookie"] == nil)
        #expect(response.headers["x-bad"] == nil)
    }

    @Test("Handlers run off the service thread, and may answer later from another thread")
    func delayedResponse() async throws {
        let threadName = Box("")
        let server = try startedServer { server in
            server.mount("/slow") { _, responder in
                threadName.set(ThreadName.current)
                DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) {
                    responder.respond(status: 201, body: Array("late".utf8))
                }
            }
        }
        defer { server.stop() }
        let port = server.port
        let response = try await onThread { try RawHTTPClient(port: port).roundTrip("GET", "/slow") }
        #expect(response.status == 201)
        #expect(response.text == "late")
        #expect(!threadName.get().hasPrefix("junction-http"))
    }

    @Test("Inline handlers run on the service thread; answers now, later, or streamed all arrive, on a kept-alive connection")
    func inlineHandlers() async throws {
        let threadName = Box("")
        let server = try startedServer { server in
            server.mount("/now", inline: true) { request, responder in
                threadName.set(ThreadName.current)
                echoHandler(request, responder)
            }
            server.mount("/later", inline: true) { _, responder in
                DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) {
                    responder.respond(status: 202, body: Array("later".utf8))
                }
            }
            server.mount("/stream", inline: true) { _, responder in
                responder.startStream(status: 200)
                responder.write(Array("a\n".utf8))
                DispatchQueue.global().asyncAfter(deadline: .now() + 0.1) {
                    responder.write(Array("b\n".utf8))
                    responder.end()
                }
            }
        }
        defer { server.stop() }
        let port = server.port
        let texts = try await onThread { () -> [String] in
            let client = try RawHTTPClient(port: port)
            var out: [String] = []
            for i in 0..<3 {
                out.append(try client.roundTrip("POST", "/now?i=\(i)", body: Array("n\(i)".utf8)).text)
                let later = try client.roundTrip("GET", "/later")
                out.append("\(later.status):\(later.text)")
                out.append(try client.roundTrip("GET", "/stream").text)
            }
            return out
        }
        #expect(texts == (0..<3).flatMap { ["n\($0)", "202:later", "a\nb\n"] })
        #expect(threadName.get().hasPrefix("junction-http"))
        #expect(server.stats.requests == 9)
    }

    @Test("start() on a port that is already taken throws portInUse")
    func portTaken() throws {
        let first = try startedServer { _ in }
        defer { first.stop() }
        let second = try HTTPServer(config: HTTPServerConfig(host: "127.0.0.1", port: first.port), logger: .init(label: "test"))
        #expect(throws: HTTPServerError.portInUse(host: "127.0.0.1", port: first.port)) {
            try second.start()
        }
        second.stop()
    }

    @Test("Bad configurations are refused up front")
    func invalidConfig() {
        #expect(throws: HTTPServerError.self) {
            _ = try HTTPServer(config: HTTPServerConfig(host: "127.0.0.1", port: 70000), logger: .init(label: "test"))
        }
        var tls = HTTPServerConfig()
        tls.tls = (certPath: "/nonexistent/cert.pem", keyPath: "/nonexistent/key.pem")
        #expect(throws: HTTPServerError.self) {
            _ = try HTTPServer(config: tls, logger: .init(label: "test"))
        }
    }

    @Test("start() twice throws alreadyStarted")
    func doubleStart() throws {
        let server = try startedServer { _ in }
        defer { server.stop() }
        #expect(throws: HTTPServerError.alreadyStarted) { try server.start() }
    }
}
