import Foundation
@testable import JunctionNet
import Logging
import Testing

/// A server with one WebSocket endpoint, and clients pointed at it.
private func webSocketServer(_ endpoint: WebSocketEndpoint, port: Int = 0) throws -> HTTPServer {
    try startedServer({ $0.port = port }) { $0.mount(webSocket: endpoint) }
}

private func client(_ port: Int, path: String = "/ws", _ configure: (inout WebSocketClientConfig) -> Void = { _ in }) throws -> WebSocketClient {
    var config = WebSocketClientConfig(url: "ws://127.0.0.1:\(port)\(path)")
    config.reconnectDelay = 0.05
    config.maxReconnectDelay = 0.5
    configure(&config)
    var logger = Logger(label: "junction.ws.test")
    logger.logLevel = .warning
    return try WebSocketClient(config: config, logger: logger)
}

/// Echoes every message back on its connection.
private func echoEndpoint(path: String = "/ws", maxMessageSize: Int = 1 << 20) -> WebSocketEndpoint {
    let endpoint = WebSocketEndpoint(path: path, maxMessageSize: maxMessageSize)
    endpoint.setHandlers(onMessages: { batch in for (c, m) in batch { c.send(m) } })
    return endpoint
}

@Suite("WebSocket server and client on libwebsockets")
struct WebSocketTests {
    @Test("Text and binary messages round-trip through server and client, in order")
    func roundTrip() async throws {
        let endpoint = echoEndpoint()
        let opened = Box<[String]>([])
        endpoint.setHandlers(
            onOpen: { c in opened.update { $0.append(c.remoteAddress) } },
            onMessages: { batch in for (c, m) in batch { c.send(m) } })
        let server = try webSocketServer(endpoint)
        defer { server.stop() }
        let ws = try client(server.port)
        let got = Box<[WebSocketMessage]>([])
        ws.setHandlers(onMessages: { m in got.update { $0 += m } })
        try ws.start()
        defer { ws.stop() }
        let sent = (0..<50).map { i in
            i % 2 == 0 ? WebSocketMessage(text: "héllo \(i)") : WebSocketMessage(binary: [UInt8(i), 0, 255])
        } + [WebSocketMessage(text: "")]
        for m in sent { #expect(ws.connection.send(m)) }
        #expect(await eventually { got.get().count == sent.count })
        #expect(got.get() == sent)
        #expect(opened.get().count == 1)
        #expect(opened.get().first?.hasPrefix("127.0.0.1:") == true)
        #expect(endpoint.receivedMessages == sent.count)
        #expect(await eventually { ws.connection.bufferedAmount == 0 })
    }

    @Test("Messages reach a handler on the endpoint's queue, or inline on the network thread when asked, in order either way")
    func inlineMessages() async throws {
        for inline in [false, true] {
            let endpoint = WebSocketEndpoint(path: "/ws")
            let threads = Box<Set<String>>([])
            let got = Box<[WebSocketMessage]>([])
            endpoint.setHandlers(
                onMessages: { batch in
                    threads.update { _ = $0.insert(ThreadName.current) }
                    got.update { $0 += batch.map(\.1) }
                },
                messagesInline: inline)
            let server = try webSocketServer(endpoint)
            defer { server.stop() }
            let ws = try client(server.port)
            try ws.start()
            defer { ws.stop() }
            let sent = (0..<200).map { WebSocketMessage(text: "m\($0)") }
            for m in sent { #expect(ws.connection.send(m)) }
            #expect(await eventually { got.get().count == sent.count })
            #expect(got.get() == sent)
            #expect(threads.get().allSatisfy { $0.hasPrefix("junction-http") } == inline, "\(threads.get())")
            #expect(threads.get().contains { $0.hasPrefix("junction-http") } == inline)
        }
    }

    @Test("Messages bigger than a frame are fragmented and reassembled both ways")
    func fragmentation() async throws {
        let server = try webSocketServer(echoEndpoint(maxMessageSize: 4 << 20))
        defer { server.stop() }
        let ws = try client(server.port) { $0.maxMessageSize = 4 << 20 }
        let got = Box<[WebSocketMessage]>([])
        ws.setHandlers(onMessages: { m in got.update { $0 += m } })
        try ws.start()
        defer { ws.stop() }
        let big = WebSocketMessage(binary: (0..<(3 << 20 | 12345)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 9) })
        let text = WebSocketMessage(text: String(repeating: "ü0123456789", count: 20_000))
        ws.connection.send(big)
        ws.connection.send(text)
        #expect(await eventually(timeout: 20) { got.get().count == 2 })
        #expect(got.get().first == big)
        #expect(got.get().last == text)
    }

    @Test("A message over the limit closes the connection with 1009 and is counted")
    func maxMessageSize() async throws {
        let endpoint = echoEndpoint(maxMessageSize: 1000)
        let closes = Box<[UInt16]>([])
        endpoint.setHandlers(
            onMessages: { batch in for (c, m) in batch { c.send(m) } },
            onClose: { _, code, _ in closes.update { $0.append(code) } })
        let server = try webSocketServer(endpoint)
        defer { server.stop() }
        let ws = try client(server.port) { $0.reconnectDelay = 5; $0.maxReconnectDelay = 5 }
        let clientCloses = Box<[UInt16]>([])
        let got = Box<[WebSocketMessage]>([])
        ws.setHandlers(onMessages: { m in got.update { $0 += m } }, onClose: { code, _ in clientCloses.update { $0.append(code) } })
        try ws.start()
        defer { ws.stop() }
        ws.connection.send(WebSocketMessage(binary: [UInt8](repeating: 1, count: 1000)))
        #expect(await eventually { got.get().count == 1 }, "a message of exactly the limit passes")
        ws.connection.send(WebSocketMessage(binary: [UInt8](repeating: 2, count: 1001)))
        #expect(await eventually { clientCloses.get() == [1009] })
        #expect(await eventually { closes.get() == [1009] })
        #expect(endpoint.oversizedMessages == 1)
        #expect(got.get().count == 1)
    }

    @Test("A paused connection stops reading: the peer's sends back up, nothing is lost")
    func pauseStopsReading() async throws {
        let endpoint = WebSocketEndpoint(path: "/ws", maxMessageSize: 1 << 20, paused: true)
        let got = Box<[WebSocketMessage]>([])
        endpoint.setHandlers(onMessages: { batch in got.update { $0 += batch.map(\.1) } })
        let server = try webSocketServer(endpoint)
        defer { server.stop() }
        let ws = try client(server.port)
        try ws.start()
        defer { ws.stop() }
        #expect(await eventually { ws.connection.isOpen })
        let count = 256
        let size = 64 << 10
        for i in 0..<count {
            var payload = [UInt8](repeating: UInt8(truncatingIfNeeded: i), count: size)
            payload[0] = UInt8(i & 0xff)
            payload[1] = UInt8(i >> 8)
            ws.connection.send(WebSocketMessage(binary: payload))
        }
        // The client writes until the kernel's buffers are full, then stalls.
        var last = -1
        var stalled = false
        for _ in 0..<100 {
            try await Task.sleep(nanoseconds: 100_000_000)
            let now = ws.connection.bufferedAmount
            if now == last { stalled = true; break }
            last = now
        }
        #expect(stalled, "the client's bufferedAmount should stop moving while the server does not read")
        #expect(ws.connection.bufferedAmount > 0, "16 MiB cannot all fit in socket buffers")
        #expect(got.get().isEmpty, "a paused endpoint delivers nothing")
        // Writing still works on a paused connection (an echo route must not deadlock).
        let toClient = Box<[WebSocketMessage]>([])
        ws.setHandlers(onMessages: { m in toClient.update { $0 += m } })
        #expect(endpoint.connections.first?.send(WebSocketMessage(text: "while paused")) == true)
        #expect(await eventually { toClient.get() == [WebSocketMessage(text: "while paused")] })
        #expect(endpoint.connections.first?.bufferedAmount == 0)
        endpoint.resume()
        #expect(await eventually(timeout: 30) { got.get().count == count })
        let order = got.get().map { Int($0.payload[0]) | Int($0.payload[1]) << 8 }
        #expect(order == Array(0..<count))
        #expect(ws.connection.bufferedAmount == 0)
    }

    @Test("The client reconnects after the server restarts, and keeps what was queued meanwhile")
    func reconnect() async throws {
        let first = echoEndpoint()
        let server = try webSocketServer(first)
        let port = server.port
        let ws = try client(port)
        let got = Box<[WebSocketMessage]>([])
        ws.setHandlers(onMessages: { m in got.update { $0 += m } })
        try ws.start()
        defer { ws.stop() }
        ws.connection.send(WebSocketMessage(text: "one"))
        #expect(await eventually { got.get().count == 1 })
        server.stop()
        #expect(await eventually { !ws.connection.isOpen })
        ws.connection.send(WebSocketMessage(text: "two"))  // queued while down
        #expect(await eventually { ws.failedAttempts >= 1 })
        let second = try webSocketServer(echoEndpoint(), port: port)
        defer { second.stop() }
        #expect(await eventually { ws.connects == 2 })
        ws.connection.send(WebSocketMessage(text: "three"))
        #expect(await eventually { got.get().count == 3 })
        #expect(got.get().map(\.text) == ["one", "two", "three"])
    }

    @Test("Upgrades on paths without an endpoint are refused; a trailing slash reaches its endpoint")
    func refusedPathAndHeaders() async throws {
        let server = try startedServer({ $0.extraHeaders = ["authorization"] }) { s in
            s.mount(webSocket: echoEndpoint())
        }
        defer { server.stop() }
        let wrong = try client(server.port, path: "/nope") { $0.reconnectDelay = 0.05 }
        try wrong.start()
        defer { wrong.stop() }
        #expect(await eventually { wrong.failedAttempts >= 2 })
        #expect(wrong.connects == 0)

        let seen = Box<[String]>([])
        let endpoint = WebSocketEndpoint(path: "/auth")
        endpoint.setHandlers(onOpen: { c in seen.update { $0.append(c.path) } })
        server.mount(webSocket: endpoint)
        let ws = try client(server.port, path: "/auth/") { $0.headers = [("Authorization", "Bearer t0k3n")] }
        try ws.start()
        defer { ws.stop() }
        #expect(await eventually { seen.get() == ["/auth"] })
        #expect(throws: WebSocketClientError.self) { try WebSocketClient(config: WebSocketClientConfig(url: "http://x/"), logger: Logger(label: "t")) }
    }
}

@Suite("WebSocket keepalive")
struct WebSocketKeepaliveTests {
    /// Opens a WebSocket by hand and then never answers anything.
    private func silentPeer(_ port: Int) throws -> RawHTTPClient {
        let raw = try RawHTTPClient(port: port, timeout: 15)
        let handshake = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        #expect(raw.send(Array(handshake.utf8)))
        #expect(try raw.readHead().status == 101)
        return raw
    }

    @Test("A peer that never answers the pings is dropped after interval + timeout")
    func silentPeerIsDropped() async throws {
        let endpoint = echoEndpoint()
        let closes = Box<[UInt16]>([])
        endpoint.setHandlers(onClose: { _, code, _ in closes.update { $0.append(code) } })
        let server = try startedServer({ $0.webSocketPingInterval = 1; $0.webSocketPingTimeout = 1 }) { $0.mount(webSocket: endpoint) }
        defer { server.stop() }
        let port = server.port
        let start = Date()
        let closed = try await onThread { () -> Bool in
            let raw = try silentPeer(port)
            defer { raw.close() }
            return raw.waitForClose()
        }
        #expect(closed)
        #expect(Date().timeIntervalSince(start) >= 1.5, "not before the ping interval and its timeout")
        #expect(await eventually { closes.get().count == 1 })
    }

    @Test("A paused connection is not taken for a dead one while its peer is there")
    func pausedPeerIsKept() async throws {
        let endpoint = WebSocketEndpoint(path: "/ws", paused: true)
        let server = try startedServer({ $0.webSocketPingInterval = 1; $0.webSocketPingTimeout = 1 }) { $0.mount(webSocket: endpoint) }
        defer { server.stop() }
        let port = server.port
        let (dropped, open) = try await onThread { () -> (Bool, Int) in
            let raw = try silentPeer(port)
            defer { raw.close() }
            // Twice the time after which an unpaused silent peer is gone;
            // reads (and ignores) whatever comes, watching for the close.
            let deadline = Date().addingTimeInterval(4)
            var scratch = [UInt8](repeating: 0, count: 4096)
            while Date() < deadline {
                guard raw.hasData(within: 0.1) else { continue }
                let n = scratch.withUnsafeMutableBytes { recv(raw.fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
                if n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) { return (true, endpoint.connections.count) }
            }
            return (false, endpoint.connections.count)
        }
        #expect(!dropped)
        #expect(open == 1)
    }

    @Test("The client pings too: a server that stops answering is dropped and reconnected")
    func clientPings() async throws {
        // A paused endpoint reads nothing, so the client's pings go unanswered.
        let endpoint = WebSocketEndpoint(path: "/ws", paused: true)
        let server = try startedServer({ $0.webSocketPingInterval = 0 }) { $0.mount(webSocket: endpoint) }
        defer { server.stop() }
        let ws = try client(server.port) { $0.pingInterval = 1; $0.pingTimeout = 1 }
        let closes = Box<[UInt16]>([])
        ws.setHandlers(onClose: { code, _ in closes.update { $0.append(code) } })
        try ws.start()
        defer { ws.stop() }
        #expect(await eventually { ws.connects >= 1 })
        // Without the client's own pings the paused server would keep this connection forever.
        #expect(await eventually { ws.connects >= 2 && !closes.get().isEmpty })
    }
}
