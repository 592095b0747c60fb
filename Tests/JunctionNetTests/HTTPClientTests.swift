import Dispatch
import Foundation
@testable import JunctionNet
import Logging
import Synchronization
import Testing

@Suite("HTTPClient")
struct HTTPClientTests {
    static func makeClient(_ configure: (inout HTTPClientConfig) -> Void = { _ in }) throws -> HTTPClient {
        var config = HTTPClientConfig()
        configure(&config)
        var logger = Logger(label: "junction.net.client.test")
        logger.logLevel = .warning
        return try HTTPClient(config: config, logger: logger)
    }

    /// The completion-based send, awaited.
    static func result(_ client: HTTPClient, _ request: HTTPClientRequest) async -> Result<HTTPClientResponse, HTTPClientError> {
        await withCheckedContinuation { continuation in
            client.send(request) { continuation.resume(returning: $0) }
        }
    }

    /// Records a stream's callbacks in order.
    final class StreamLog: Sendable {
        let head = Box<(Int, [String: String])?>(nil)
        let lines = Box<[String]>([])
        let done = Box<Result<Int, HTTPClientError>?>(nil)
        let headBeforeLines = Box(true)
        let callsAfterDone = Box(0)

        func start(_ client: HTTPClient, _ request: HTTPClientRequest) -> HTTPClientTask {
            client.stream(
                request,
                onHead: { status, headers in
                    if !self.lines.get().isEmpty { self.headBeforeLines.set(false) }
                    self.head.set((status, headers))
                },
                onLine: { line in
                    if self.head.get() == nil { self.headBeforeLines.set(false) }
                    if self.done.get() != nil { self.callsAfterDone.update { $0 += 1 } }
                    self.lines.update { $0.append(String(decoding: line, as: UTF8.self)) }
                },
                completion: { result in
                    if self.done.get() != nil { self.callsAfterDone.update { $0 += 1 } }
                    self.done.set(result)
                })
        }
    }

    /// A handler that keeps the request open and never answers; counts requests and clients that left.
    final class Hanging: Sendable {
        let requests = Box(0)
        let closed = Box(0)
        var handler: @Sendable (HTTPRequest, HTTPResponder) -> Void {
            { [self] _, responder in
                responder.onClose { self.closed.update { $0 += 1 } }
                requests.update { $0 += 1 }
            }
        }
    }

    // MARK: - Requests and responses

    @Test("GET and POST round trips carry method, query, headers and a binary body")
    func roundTrip() async throws {
        let server = try startedServer({
            $0.extraHeaders = ["x-test"]
            $0.maxBodySize = 1 << 20
        }) { $0.mount("/echo", handler: echoHandler) }
        defer { server.stop() }
        let client = try Self.makeClient()
        defer { client.shutdown() }
        let base = "http://127.0.0.1:\(server.port)"

        let get = try await client.send(HTTPClientRequest(url: base + "/echo?b=2&a=hello%20world", headers: [("X-Test", "yes please")]))
        #expect(get.status == 200)
        #expect(get.header("X-Method") == "GET")
        #expect(get.headers["x-path"] == "/echo")
        #expect(get.headers["x-query"] == "a=hello world&b=2")
        #expect(get.headers["x-test"] == "yes please")
        #expect(get.headers["content-length"] == "0")
        #expect(get.body.isEmpty)

        let body = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let post = try await Self.result(client, HTTPClientRequest(
            method: "POST", url: base + "/echo", headers: [("Content-Type", "application/json")], body: body)).get()
        #expect(post.status == 200)
        #expect(post.header("x-method") == "POST")
        #expect(post.header("x-content-type") == "application/json")
        #expect(post.body.count == body.count)
        #expect(post.body == body, "the body comes back byte for byte")

        // No body: Content-Length 0; a body without a type gets no invented form type.
        let put = try await client.send(HTTPClientRequest(method: "PUT", url: base + "/echo"))
        #expect(put.header("x-method") == "PUT")
        #expect(put.body.isEmpty)
        let patch = try await client.send(HTTPClientRequest(method: "PATCH", url: base + "/echo", body: Array("p".utf8)))
        #expect(patch.header("x-method") == "PATCH")
        #expect(patch.header("x-content-type") == "-")
        #expect(patch.body == Array("p".utf8))
    }

    @Test("Completions on a caller's queue: each exactly once, on that queue, with its own response")
    func completionsOnACallersQueue() async throws {
        let server = try startedServer({ $0.maxBodySize = 1 << 20 }) { $0.mount("/echo", handler: echoHandler) }
        defer { server.stop() }
        let client = try Self.makeClient { $0.maxConnectionsPerHost = 8 }
        defer { client.shutdown() }
        let queue = DispatchQueue(label: "test.caller")
        let key = DispatchSpecificKey<Int>()
        queue.setSpecific(key: key, value: 7)
        let results = Box<[Int: String]>([:])
        let offQueue = Box(0)
        let total = 200
        for i in 0..<total {
            let request = HTTPClientRequest(method: "POST", url: "http://127.0.0.1:\(server.port)/echo", body: Array("body \(i)".utf8))
            client.send(request, on: queue) { result in
                if DispatchQueue.getSpecific(key: key) != 7 { offQueue.update { $0 += 1 } }
                let text = (try? result.get()).map { String(decoding: $0.body, as: UTF8.self) } ?? "error"
                results.update { $0[i, default: ""] += text }
            }
        }
        #expect(await eventually { results.get().count == total })
        try? await Task.sleep(nanoseconds: 100_000_000)
        let got = results.get()
        #expect(got.count == total)
        #expect((0..<total).allSatisfy { got[$0] == "body \($0)" }, "each completion once, with its own body")
        #expect(offQueue.get() == 0)
    }

    @Test("A 404 is a response with status 404, not an error")
    func notFound() async throws {
        let server = try startedServer { $0.mount("/echo", handler: echoHandler) }
        defer { server.stop() }
        let client = try Self.makeClient()
        defer { client.shutdown() }
        let response = try await client.send(HTTPClientRequest(url: "http://127.0.0.1:\(server.port)/missing"))
        #expect(response.status == 404)
        #expect(response.header("content-type") == "application/json")
        #expect(String(decoding: response.body, as: UTF8.self).contains("error"))
    }

    @Test("A refused connection fails with .connect and curl's text")
    func connectionRefused() async throws {
        let server = try startedServer { _ in }
        let port = server.port
        server.stop()
        let client = try Self.makeClient()
        defer { client.shutdown() }
        let result = await Self.result(client, HTTPClientRequest(url: "http://127.0.0.1:\(port)/"))
        guard case .failure(.connect(let text)) = result else {
            Issue.record("expected .connect, got \(result)")
            return
        }
        #expect(!text.isEmpty)
    }

    @Test("Malformed URLs and other schemes fail with .invalidURL; bad config is refused")
    func invalidInput() async throws {
        let client = try Self.makeClient()
        defer { client.shutdown() }
        for url in ["not a url", "ftp://127.0.0.1/file", "file:///etc/passwd", ""] {
            let result = await Self.result(client, HTTPClientRequest(url: url))
            guard case .failure(.invalidURL) = result else {
                Issue.record("\(url): expected .invalidURL, got \(result)")
                continue
            }
        }
        #expect(throws: HTTPClientError.self) { try Self.makeClient { $0.connectTimeout = -1 } }
        #expect(throws: HTTPClientError.self) { try Self.makeClient { $0.requestTimeout = -1 } }
        #expect(throws: HTTPClientError.self) { try Self.makeClient { $0.maxConnectionsPerHost = 0 } }
        // 0 means "curl's default" for the connect timeout and "none" for the request timeout.
        let unlimited = try Self.makeClient {
            $0.connectTimeout = 0
            $0.requestTimeout = 0
        }
        unlimited.shutdown()
    }

    @Test("A handler that never answers yields .timeout after the configured time")
    func timeout() async throws {
        let hanging = Hanging()
        let server = try startedServer { $0.mount("/hang", handler: hanging.handler) }
        defer { server.stop() }
        let url = "http://127.0.0.1:\(server.port)/hang"

        let client = try Self.makeClient { $0.requestTimeout = 1.5 }
        defer { client.shutdown() }
        let clock = ContinuousClock()
        let started = clock.now
        let result = await Self.result(client, HTTPClientRequest(url: url))
        let elapsed = clock.now - started
        #expect(result.failure == .timeout)
        #expect(elapsed >= .milliseconds(1400))
        #expect(elapsed < .seconds(15))

        // The per-request timeout overrides the config.
        let patient = try Self.makeClient { $0.requestTimeout = 60 }
        defer { patient.shutdown() }
        let overridden = clock.now
        let perRequest = await Self.result(patient, HTTPClientRequest(url: url, timeout: 1))
        #expect(perRequest.failure == .timeout)
        #expect(clock.now - overridden < .seconds(15))
        #expect(hanging.requests.get() == 2)
    }

    // MARK: - Cookies and connections

    @Test("Each client has its own cookie jar")
    func cookiesPerClient() async throws {
        let server = try startedServer { server in
            server.mount("/set") { request, responder in
                let value = request.query["v"] ?? "none"
                responder.respond(status: 200, headers: [("Set-Cookie", "token=\(value); Path=/")], body: [])
            }
            server.mount("/show") { request, responder in
                responder.respond(status: 200, body: Array((request.header("cookie") ?? "").utf8))
            }
        }
        defer { server.stop() }
        let base = "http://127.0.0.1:\(server.port)"
        let a = try Self.makeClient()
        let b = try Self.makeClient()
        defer {
            a.shutdown()
            b.shutdown()
        }
        func show(_ client: HTTPClient) async throws -> String {
            String(decoding: try await client.send(HTTPClientRequest(url: base + "/show")).body, as: UTF8.self)
        }

        _ = try await a.send(HTTPClientRequest(url: base + "/set?v=alpha"))
        #expect(try await show(a) == "token=alpha")
        #expect(try await show(b) == "")
        #expect(a.cookies == ["token": "alpha"])
        #expect(b.cookies.isEmpty)

        _ = try await b.send(HTTPClientRequest(url: base + "/set?v=beta"))
        #expect(try await show(b) == "token=beta")
        #expect(try await show(a) == "token=alpha")
        #expect(b.cookies == ["token": "beta"])

        // A new client starts with an empty jar.
        let c = try Self.makeClient()
        defer { c.shutdown() }
        #expect(try await show(c) == "")

        // A client without cookies never sends back what it was given.
        let d = try Self.makeClient { $0.cookies = false }
        defer { d.shutdown() }
        _ = try await d.send(HTTPClientRequest(url: base + "/set?v=delta"))
        #expect(try await show(d) == "")
        #expect(d.cookies.isEmpty)
    }

    @Test("Sequential requests reuse one kept-alive connection, across clients too")
    func connectionReuse() async throws {
        let server = try startedServer { $0.mount("/echo", handler: echoHandler) }
        defer { server.stop() }
        let url = "http://127.0.0.1:\(server.port)/echo"
        let client = try Self.makeClient()
        defer { client.shutdown() }
        var opened: [Int] = []
        for i in 0..<5 {
            let response = try await client.send(HTTPClientRequest(method: "POST", url: url, body: Array("\(i)".utf8)))
            #expect(response.body == Array("\(i)".utf8))
            opened.append(response.newConnections)
        }
        #expect(opened == [1, 0, 0, 0, 0])

        // One multi handle for the process: another client reuses the same connection.
        let other = try Self.makeClient()
        defer { other.shutdown() }
        let response = try await other.send(HTTPClientRequest(url: url))
        #expect(response.status == 200)
        #expect(response.newConnections == 0)
    }

    @Test("100 concurrent requests all complete with their own answers")
    func concurrent() async throws {
        let server = try startedServer { $0.mount("/echo", handler: echoHandler) }
        defer { server.stop() }
        let url = "http://127.0.0.1:\(server.port)/echo"
        let client = try Self.makeClient()
        defer { client.shutdown() }
        let bodies = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for i in 0..<100 {
                group.addTask {
                    let response = try await client.send(HTTPClientRequest(
                        method: "POST", url: url + "?i=\(i)", body: Array("request \(i)".utf8)))
                    #expect(response.status == 200)
                    #expect(response.header("x-query") == "i=\(i)")
                    return (i, String(decoding: response.body, as: UTF8.self))
                }
            }
            var all: [Int: String] = [:]
            for try await (i, body) in group { all[i] = body }
            return all
        }
        #expect(bodies.count == 100)
        #expect(bodies.allSatisfy { $0.value == "request \($0.key)" })
        #expect(server.stats.requests == 100)
    }

    // MARK: - Streaming

    @Test("Stream lines arrive one by one while the response is still open, across chunk boundaries")
    func streamLines() async throws {
        let clientSawFirst = Box(false)
        let sawFirstBeforeEnd = Box<Bool?>(nil)
        let server = try startedServer { server in
            server.mount("/stream") { _, responder in
                responder.startStream(status: 200, headers: [("Content-Type", "application/x-ndjson")])
                responder.write(Array("first\n".utf8))
                DispatchQueue.global().async {
                    // Go on only once the client has the first line (or give up after 10 s).
                    let deadline = Date().addingTimeInterval(10)
                    while !clientSawFirst.get() && Date() < deadline { usleep(10_000) }
                    sawFirstBeforeEnd.set(clientSawFirst.get())
                    for piece in ["al", "pha\r\nbe", "ta\r", "\n\ngam", "ma\r\nlast without newline"] {
                        responder.write(Array(piece.utf8))
                        usleep(50_000)
                    }
                    responder.end()
                }
            }
        }
        defer { server.stop() }
        let client = try Self.makeClient()
        defer { client.shutdown() }

        let log = StreamLog()
        let lines = log.lines
        client.stream(
            HTTPClientRequest(url: "http://127.0.0.1:\(server.port)/stream", timeout: 0),
            onHead: { status, headers in log.head.set((status, headers)) },
            onLine: { line in
                lines.update { $0.append(String(decoding: line, as: UTF8.self)) }
                clientSawFirst.set(true)
            },
            completion: { log.done.set($0) })
        #expect(await eventually(timeout: 20) { log.done.get() != nil })
        #expect(sawFirstBeforeEnd.get() == true, "the first line must arrive before the response ends")
        #expect(log.head.get()?.0 == 200)
        #expect(log.head.get()?.1["content-type"] == "application/x-ndjson")
        #expect(lines.get() == ["first", "alpha", "beta", "", "gamma", "last without newline"])
        #expect(log.done.get()?.success == 200)
    }

    @Test("Stream callbacks come in order: head, lines, completion; a non-2xx stream reports its status")
    func streamOrder() async throws {
        let server = try startedServer { server in
            server.mount("/lines") { _, responder in
                responder.startStream(status: 200)
                for i in 0..<200 { responder.write(Array("line \(i)\n".utf8)) }
                responder.end()
            }
        }
        defer { server.stop() }
        let client = try Self.makeClient()
        defer { client.shutdown() }
        let log = StreamLog()
        _ = log.start(client, HTTPClientRequest(url: "http://127.0.0.1:\(server.port)/lines"))
        #expect(await eventually { log.done.get() != nil })
        #expect(log.lines.get() == (0..<200).map { "line \($0)" })
        #expect(log.headBeforeLines.get())
        #expect(log.done.get()?.success == 200)

        let missing = StreamLog()
        _ = missing.start(client, HTTPClientRequest(url: "http://127.0.0.1:\(server.port)/nope"))
        #expect(await eventually { missing.done.get() != nil })
        #expect(missing.head.get()?.0 == 404)
        #expect(missing.done.get()?.success == 404)
        #expect(missing.lines.get().count == 1, "the JSON error body is one unterminated line")
        #expect(log.callsAfterDone.get() == 0)
        #expect(missing.callsAfterDone.get() == 0)
    }

    @Test("Pausing a stream stops reading the socket; resume delivers everything in order")
    func pauseResume() async throws {
        // 16 MiB after the first line: far more than the socket buffers hold.
        let lineCount = 4096
        let lineLength = 4096
        let gate = Box(false)
        let server = try startedServer { server in
            server.mount("/bulk") { _, responder in
                responder.startStream(status: 200)
                responder.write(Array("head\n".utf8))
                DispatchQueue.global().async {
                    let deadline = Date().addingTimeInterval(10)
                    while !gate.get() && Date() < deadline { usleep(10_000) }
                    var chunk: [UInt8] = []
                    for i in 0..<lineCount {
                        chunk += Self.bulkLine(i, length: lineLength)
                        if chunk.count >= 64 * 1024 {
                            responder.write(chunk)
                            chunk = []
                        }
                    }
                    responder.write(chunk)
                    responder.end()
                }
            }
        }
        defer { server.stop() }
        let client = try Self.makeClient()
        defer { client.shutdown() }

        struct Progress { var count = 0, inOrder = true }
        let progress = Box(Progress())
        let done = Box<Result<Int, HTTPClientError>?>(nil)
        let task = client.stream(
            HTTPClientRequest(url: "http://127.0.0.1:\(server.port)/bulk", timeout: 0),
            onHead: { _, _ in },
            onLine: { line in
                progress.update { p in
                    let expected = p.count == 0 ? Array("head".utf8) : Array(Self.bulkLine(p.count - 1, length: lineLength).dropLast())
                    if line != expected { p.inOrder = false }
                    p.count += 1
                }
            },
            completion: { done.set($0) })

        #expect(await eventually { progress.get().count == 1 })
        task.pause()
        try await Task.sleep(for: .milliseconds(300))
        let receivedBeforeBulk = task.receivedBytes
        gate.set(true)
        // The server writes everything now; the paused client reads none of it,
        // so the bytes pile up unread in its socket (waited for, not slept for:
        // a loaded machine may take a while to write them).
        let piledUp = await eventually(timeout: 20) { Self.unreadBytes(fromPort: server.port) > 16 * 1024 }
        #expect(piledUp, "the server's bytes wait unread in the client socket (\(Self.unreadBytes(fromPort: server.port)) bytes)")
        let whilePaused = progress.get().count
        #expect(whilePaused == 1, "no line is delivered while paused")
        #expect(done.get() == nil)
        #expect(task.receivedBytes == receivedBeforeBulk, "curl reads nothing while paused")
        try await Task.sleep(for: .seconds(1))
        #expect(progress.get().count == whilePaused)
        #expect(task.receivedBytes == receivedBeforeBulk)

        task.resume()
        #expect(await eventually(timeout: 60) { done.get() != nil })
        #expect(done.get()?.success == 200)
        #expect(progress.get().count == lineCount + 1)
        #expect(progress.get().inOrder)
        #expect(task.receivedBytes == 5 + lineCount * lineLength)
        #expect(Self.unreadBytes(fromPort: server.port) == 0)
    }

    /// Bytes sitting unread in the receive queues of this machine's TCP
    /// connections to 127.0.0.1:`port` (the client side), from /proc/net/tcp.
    static func unreadBytes(fromPort port: Int) -> Int {
        // Read to the end: /proc files report size 0, and the table can be long.
        guard let file = FileHandle(forReadingAtPath: "/proc/net/tcp") else { return -1 }
        defer { try? file.close() }
        guard let data = try? file.readToEnd() else { return -1 }
        let table = String(decoding: data, as: UTF8.self)
        let remote = String(format: "0100007F:%04X", port)
        var total = 0
        for row in table.split(separator: "\n").dropFirst() {
            // sl local_address rem_address st tx_queue:rx_queue …
            let fields = row.split(separator: " ")
            guard fields.count > 4, fields[2] == remote, fields[3] == "01" else { continue }
            let queues = fields[4].split(separator: ":")
            if queues.count == 2, let rx = Int(queues[1], radix: 16) { total += rx }
        }
        return total
    }

    /// Line `i` of the bulk stream: an 8-digit number padded with `x` to `length` bytes, `\n` included.
    static func bulkLine(_ i: Int, length: Int) -> [UInt8] {
        var line = Array(String(format: "%08d", i).utf8)
        line += [UInt8](repeating: UInt8(ascii: "x"), count: length - 1 - line.count)
        line.append(0x0A)
        return line
    }

    @Test("Pausing from inside onLine holds the next lines until resume")
    func pauseFromCallback() async throws {
        let server = try startedServer { server in
            server.mount("/lines") { _, responder in
                responder.startStream(status: 200)
                responder.write(Array((0..<50).map { "n\($0)\n" }.joined().utf8))
                responder.end()
            }
        }
        defer { server.stop() }
        let client = try Self.makeClient()
        defer { client.shutdown() }
        let taskBox = Box<HTTPClientTask?>(nil)
        let lines = Box<[String]>([])
        let done = Box<Result<Int, HTTPClientError>?>(nil)
        let started = Box(false)
        let task = client.stream(
            HTTPClientRequest(url: "http://127.0.0.1:\(server.port)/lines"),
            onHead: { _, _ in
                // Wait for the handle so the first line can pause the stream.
                while taskBox.get() == nil { usleep(1000) }
                started.set(true)
            },
            onLine: { line in
                let count = lines.update { l -> Int in
                    l.append(String(decoding: line, as: UTF8.self))
                    return l.count
                }
                if count == 10 { taskBox.get()?.pause() }
            },
            completion: { done.set($0) })
        taskBox.set(task)
        #expect(await eventually { lines.get().count >= 10 })
        try await Task.sleep(for: .seconds(1))
        #expect(lines.get().count == 10)
        #expect(done.get() == nil, "a paused stream completes only after its lines")
        task.resume()
        #expect(await eventually { done.get() != nil })
        #expect(started.get())
        #expect(lines.get() == (0..<50).map { "n\($0)" })
        #expect(done.get()?.success == 200)
    }

    // MARK: - Cancel and shutdown

    @Test("cancel() ends a request and a stream with .cancelled and closes the connection")
    func cancel() async throws {
        let hanging = Hanging()
        let streamClosed = Box(false)
        let server = try startedServer { server in
            server.mount("/hang", handler: hanging.handler)
            server.mount("/open-stream") { _, responder in
                responder.onClose { streamClosed.set(true) }
                responder.startStream(status: 200)
                responder.write(Array("one\n".utf8))
            }
        }
        defer { server.stop() }
        let client = try Self.makeClient()
        defer { client.shutdown() }
        let base = "http://127.0.0.1:\(server.port)"

        let whole = Box<Result<HTTPClientResponse, HTTPClientError>?>(nil)
        let task = client.send(HTTPClientRequest(url: base + "/hang")) { whole.set($0) }
        #expect(await eventually { hanging.requests.get() == 1 })
        task.cancel()
        #expect(await eventually { whole.get() != nil })
        #expect(whole.get()?.failure == .cancelled)
        #expect(await eventually { hanging.closed.get() == 1 }, "the server sees the client go")
        task.cancel()  // again: nothing happens

        let log = StreamLog()
        let stream = log.start(client, HTTPClientRequest(url: base + "/open-stream", timeout: 0))
        #expect(await eventually { log.lines.get() == ["one"] })
        stream.cancel()
        #expect(await eventually { log.done.get() != nil })
        #expect(log.done.get()?.failure == .cancelled)
        #expect(await eventually { streamClosed.get() })

        // Cancelling the awaiting Swift task cancels the transfer.
        let waiting = Task { try await client.send(HTTPClientRequest(url: base + "/hang")) }
        #expect(await eventually { hanging.requests.get() == 2 })
        waiting.cancel()
        let outcome = await waiting.result
        #expect((outcome.failure as? HTTPClientError) == .cancelled)
        #expect(await eventually { hanging.closed.get() == 2 })
    }

    @Test("shutdown() ends transfers in flight with .shutdown, is idempotent, and later requests fail")
    func shutdown() async throws {
        let hanging = Hanging()
        let server = try startedServer { $0.mount("/hang", handler: hanging.handler) }
        defer { server.stop() }
        let url = "http://127.0.0.1:\(server.port)/hang"
        let client = try Self.makeClient()

        let whole = Box<Result<HTTPClientResponse, HTTPClientError>?>(nil)
        client.send(HTTPClientRequest(url: url)) { whole.set($0) }
        let log = StreamLog()
        _ = log.start(client, HTTPClientRequest(url: url, timeout: 0))
        #expect(await eventually { hanging.requests.get() == 2 })

        client.shutdown()
        client.shutdown()
        #expect(await eventually { whole.get() != nil && log.done.get() != nil })
        #expect(whole.get()?.failure == .shutdown)
        #expect(log.done.get()?.failure == .shutdown)
        #expect(await eventually { hanging.closed.get() == 2 })

        let after = await Self.result(client, HTTPClientRequest(url: url))
        #expect(after.failure == .shutdown)
        #expect(client.cookies.isEmpty)
        #expect(hanging.requests.get() == 2)
    }

    @Test("Releasing a client shuts it down")
    func releaseShutsDown() async throws {
        let hanging = Hanging()
        let server = try startedServer { $0.mount("/hang", handler: hanging.handler) }
        defer { server.stop() }
        let whole = Box<Result<HTTPClientResponse, HTTPClientError>?>(nil)
        do {
            let client = try Self.makeClient()
            client.send(HTTPClientRequest(url: "http://127.0.0.1:\(server.port)/hang")) { whole.set($0) }
            #expect(await eventually { hanging.requests.get() == 1 })
        }
        #expect(await eventually { whole.get() != nil })
        #expect(whole.get()?.failure == .shutdown)
        #expect(await eventually { hanging.closed.get() == 1 })
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }

    var success: Success? {
        if case .success(let value) = self { return value }
        return nil
    }
}
