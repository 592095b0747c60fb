import Dispatch
import Foundation
import JunctionNet
import Synchronization
import Testing

@Suite("HTTPServer connections")
struct HTTPServerConnectionTests {
    @Test("Keep-alive: many sequential requests on one connection")
    func keepAlive() async throws {
        let server = try startedServer { $0.mount("/echo", handler: echoHandler) }
        defer { server.stop() }
        let port = server.port
        let bodies = try await onThread { () -> [String] in
            let client = try RawHTTPClient(port: port)
            return try (0..<50).map { i in
                let response = try client.roundTrip(i % 2 == 0 ? "GET" : "POST", "/echo?i=\(i)", body: i % 2 == 0 ? nil : Array("body\(i)".utf8))
                return (response.headers["x-query"] ?? "") + ":" + response.text
            }
        }
        #expect(bodies.count == 50)
        #expect(bodies[0] == "i=0:")
        #expect(bodies[1] == "i=1:body1")
        #expect(bodies[49] == "i=49:body49")
        #expect(server.stats.requests == 50)
    }

    @Test("Pipelined requests behind a slow handler: the first is answered, the connection closes, the server keeps serving")
    func pipelining() async throws {
        let server = try startedServer { server in
            server.mount("/echo", handler: echoHandler)
            server.mount("/slow") { request, responder in
                DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { echoHandler(request, responder) }
            }
        }
        defer { server.stop() }
        let port = server.port
        let (answers, closed) = try await onThread { () -> ([String], Bool) in
            let client = try RawHTTPClient(port: port)
            var batch: [UInt8] = []
            for (i, path) in ["/slow", "/echo", "/slow", "/echo", "/echo"].enumerated() {
                batch += RawHTTPClient.request("POST", "\(path)?n=\(i)", body: Array("b\(i)".utf8))
            }
            client.send(batch)
            var answers: [String] = []
            do {
                for _ in 0..<5 {
                    let r = try client.readResponse(method: "POST")
                    answers.append((r.headers["x-query"] ?? "?") + ":" + r.text)
                }
                return (answers, false)
            } catch {
                return (answers, true)
            }
        }
        // Whatever was answered came in order; what wasn't ended with a close, not a hang.
        let expected = ["n=0:b0", "n=1:b1", "n=2:b2", "n=3:b3", "n=4:b4"]
        #expect(!answers.isEmpty)
        #expect(answers == Array(expected.prefix(answers.count)))
        #expect(closed || answers.count == 5)
        // The service thread is free: a fresh client is served at once.
        let text = try await onThread { try RawHTTPClient(port: port).roundTrip("GET", "/echo?after=1").headers["x-query"] ?? "" }
        #expect(text == "after=1")
    }

    @Test("Pipelined requests to an inline handler: answers come in order until a close, and the server keeps serving")
    func pipeliningInline() async throws {
        let server = try startedServer { $0.mount("/echo", inline: true, handler: echoHandler) }
        defer { server.stop() }
        let port = server.port
        let (answers, closed) = try await onThread { () -> ([String], Bool) in
            let client = try RawHTTPClient(port: port)
            var batch: [UInt8] = []
            for i in 0..<5 {
                batch += RawHTTPClient.request(i % 2 == 0 ? "POST" : "GET", "/echo?n=\(i)", body: i % 2 == 0 ? Array("b\(i)".utf8) : nil)
            }
            client.send(batch)
            var answers: [String] = []
            do {
                for i in 0..<5 {
                    let r = try client.readResponse(method: i % 2 == 0 ? "POST" : "GET")
                    answers.append((r.headers["x-query"] ?? "?") + ":" + r.text)
                }
                return (answers, false)
            } catch {
                return (answers, true)
            }
        }
        let expected = ["n=0:b0", "n=1:", "n=2:b2", "n=3:", "n=4:b4"]
        #expect(answers == Array(expected.prefix(answers.count)))
        #expect(closed || answers.count == 5)
        // No spinning service thread: a fresh client is answered at once.
        let text = try await onThread { try RawHTTPClient(port: port).roundTrip("GET", "/echo?after=1").headers["x-query"] ?? "" }
        #expect(text == "after=1")
    }

    @Test("A streamed response arrives chunk by chunk and ends")
    func streaming() async throws {
        // The handler writes chunk i+1 only after the test has read chunk i,
        // which proves the chunks reach the client separately.
        let gate = DispatchSemaphore(value: 0)
        let server = try startedServer { server in
            server.mount("/stream") { _, responder in
                responder.startStream(status: 200, headers: [("Content-Type", "application/x-ndjson")])
                DispatchQueue.global().async {
                    for i in 1...3 {
                        responder.write(Array("{\"n\":\(i)}\n".utf8))
                        if i < 3 { _ = gate.wait(timeout: .now() + 10) }
                    }
                    responder.end()
                }
            }
        }
        defer { server.stop() }
        let port = server.port
        let (head, chunks, next) = try await onThread { () -> (RawHTTPClient.Response, [String], Int) in
            let client = try RawHTTPClient(port: port)
            client.send(RawHTTPClient.request("GET", "/stream"))
            let head = try client.readHead()
            var chunks: [String] = []
            while let chunk = try client.readChunk() {
                chunks.append(String(decoding: chunk, as: UTF8.self))
                gate.signal()
            }
            // The connection is reusable after the terminating chunk.
            let next = try client.roundTrip("GET", "/missing").status
            return (head, chunks, next)
        }
        #expect(head.status == 200)
        #expect(head.headers["transfer-encoding"] == "chunked")
        #expect(head.headers["content-type"] == "application/x-ndjson")
        #expect(chunks == ["{\"n\":1}\n", "{\"n\":2}\n", "{\"n\":3}\n"])
        #expect(next == 404)
    }

    @Test("A stream to an HTTP/1.0 client is sent raw and ends with the connection")
    func streamingHTTP10() async throws {
        let server = try startedServer { server in
            server.mount("/stream") { _, responder in
                responder.startStream(status: 200)
                responder.write(Array("a".utf8))
                responder.write(Array("b".utf8))
                responder.end()
            }
        }
        defer { server.stop() }
        let port = server.port
        let response = try await onThread { () -> RawHTTPClient.Response in
            let client = try RawHTTPClient(port: port)
            client.send(Array("GET /stream HTTP/1.0\r\n\r\n".utf8))
            return try client.readResponse()
        }
        #expect(response.statusLine == "HTTP/1.0 200 OK")
        #expect(response.headers["transfer-encoding"] == nil)
        #expect(response.text == "ab")
    }

    @Test("Client leaving before a delayed response: onClose runs once, the late response is a no-op")
    func clientDisconnect() async throws {
        let closes = Box(0)
        let held = Box<HTTPResponder?>(nil)
        let server = try startedServer { server in
            server.mount("/wait") { _, responder in
                responder.onClose { closes.update { $0 += 1 } }
                held.set(responder)
            }
            server.mount("/echo", handler: echoHandler)
        }
        defer { server.stop() }
        let port = server.port
        try await onThread {
            let client = try RawHTTPClient(port: port)
            client.send(RawHTTPClient.request("GET", "/wait"))
            // Wait until the handler has the request, then hang up.
            let deadline = Date().addingTimeInterval(10)
            while held.get() == nil && Date() < deadline { usleep(10_000) }
            client.close()
        }
        #expect(await eventually { closes.get() == 1 })
        let responder = try #require(held.get())
        #expect(responder.isClientGone)
        responder.respond(status: 200, body: Array("too late".utf8))
        responder.startStream(status: 200)
        responder.write([1])
        responder.end()
        var lateRegistration = false
        let lateClose = Box(false)
        responder.onClose { lateClose.set(true) }
        lateRegistration = await eventually { lateClose.get() }
        #expect(lateRegistration, "onClose registered after the client left runs right away")
        #expect(closes.get() == 1)
        #expect(server.stats.clientsGone == 1)

        let after = try await onThread { try RawHTTPClient(port: port).roundTrip("GET", "/echo") }
        #expect(after.status == 200)
    }

    @Test("A client leaving mid-stream triggers onClose and stops the stream")
    func clientLeavesStream() async throws {
        let closed = Box(false)
        let started = Box(false)
        let server = try startedServer { server in
            server.mount("/stream") { _, responder in
                responder.onClose { closed.set(true) }
                responder.startStream(status: 200)
                responder.write(Array("first\n".utf8))
                started.set(true)
            }
        }
        defer { server.stop() }
        let port = server.port
        try await onThread {
            let client = try RawHTTPClient(port: port)
            client.send(RawHTTPClient.request("GET", "/stream"))
            _ = try client.readHead()
            _ = try client.readChunk()
            client.close()
        }
        #expect(started.get())
        #expect(await eventually { closed.get() })
    }

    @Test("200 concurrent connections each get their answer")
    func manyConnections() async throws {
        let server = try startedServer { server in
            server.mount("/echo") { request, responder in
                // Answer from another thread after a short, varying delay.
                let delay = Double((request.query["i"].flatMap(Int.init) ?? 0) % 7) / 1000
                DispatchQueue.global().asyncAfter(deadline: .now() + delay) { echoHandler(request, responder) }
            }
        }
        defer { server.stop() }
        let port = server.port
        let answers = try await onThread { () -> [String] in
            // All 200 connections are open at once before any request is sent.
            let clients = try (0..<200).map { _ in try RawHTTPClient(port: port, timeout: 30) }
            for (i, client) in clients.enumerated() {
                client.send(RawHTTPClient.request("POST", "/echo?i=\(i)", body: Array("payload-\(i)".utf8)))
            }
            return try clients.map { try $0.readResponse(method: "POST").text }
        }
        #expect(answers.count == 200)
        #expect(answers == (0..<200).map { "payload-\($0)" })
    }

    @Test("Several service threads share one port: connections spread over them, every one answered, a taken port refused")
    func serviceThreads() async throws {
        let threads = Box<Set<String>>([])
        let server = try startedServer({ $0.serviceThreads = 3 }) { server in
            server.mount("/echo", inline: true) { request, responder in
                threads.update { _ = $0.insert("\(pthread_self())") }
                echoHandler(request, responder)
            }
        }
        defer { server.stop() }
        let port = server.port
        let answers = try await onThread { () -> [String] in
            let clients = try (0..<60).map { _ in try RawHTTPClient(port: port, timeout: 30) }
            for (i, client) in clients.enumerated() {
                client.send(RawHTTPClient.request("POST", "/echo?i=\(i)", body: Array("payload-\(i)".utf8)))
            }
            return try clients.map { try $0.readResponse(method: "POST").text }
        }
        #expect(answers == (0..<60).map { "payload-\($0)" })
        #expect(server.stats.requests == 60)
        #expect(threads.get().count > 1)

        var config = HTTPServerConfig(host: "127.0.0.1", port: port)
        config.serviceThreads = 2
        let second = try HTTPServer(config: config, logger: .init(label: "test"))
        #expect(throws: HTTPServerError.portInUse(host: "127.0.0.1", port: port)) { try second.start() }
    }

    @Test("stop() with idle and busy connections open: returns, closes them, fires onClose, frees the port")
    func stopWithOpenConnections() async throws {
        let closes = Box(0)
        let handled = Box(0)
        let server = try startedServer { server in
            server.mount("/echo", handler: echoHandler)
            server.mount("/wait") { _, responder in
                responder.onClose { closes.update { $0 += 1 } }
                handled.update { $0 += 1 }
            }
        }
        let port = server.port
        let clients = try await onThread { () -> [RawHTTPClient] in
            let idle = try (0..<3).map { _ in try RawHTTPClient(port: port) }
            for client in idle { _ = try client.roundTrip("GET", "/echo") }
            let busy = try (0..<2).map { _ in try RawHTTPClient(port: port) }
            for client in busy { client.send(RawHTTPClient.request("GET", "/wait")) }
            return idle + busy
        }
        #expect(await eventually { handled.get() == 2 })

        let stopped = try await onThread { () -> Bool in
            server.stop()
            server.stop()  // idempotent
            return true
        }
        #expect(stopped)
        #expect(await eventually { closes.get() == 2 })
        let allClosed = try await onThread { clients.allSatisfy { $0.waitForClose() } }
        #expect(allClosed)

        // The port can be bound again.
        let again = try startedServer({ $0.port = port }) { $0.mount("/echo", handler: echoHandler) }
        defer { again.stop() }
        #expect(again.port == port)
    }
}
