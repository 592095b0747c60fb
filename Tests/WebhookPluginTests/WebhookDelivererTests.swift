import Foundation
import Junction
import JunctionNet
import JunctionStore
import Logging
import Synchronization
import Testing
@testable import WebhookPlugin

/// A receiver on Junction's own HTTP server: records each request and answers
/// what `answer` says (status and extra headers).
final class TestReceiver: Sendable {
    struct Hit: Sendable {
        let headers: HTTPHeaders
        let body: [UInt8]
    }

    let server: HTTPServer
    private let hits = Mutex<[Hit]>([])
    private let answer: Mutex<@Sendable (Int, [UInt8]) -> (Int, [(String, String)])>

    init(answer: @escaping @Sendable (_ attempt: Int, _ body: [UInt8]) -> (Int, [(String, String)]) = { _, _ in (200, []) }) throws {
        self.answer = Mutex(answer)
        var config = HTTPServerConfig(host: "127.0.0.1", port: 0)
        config.maxBodySize = 1 << 20
        config.extraHeaders.append("x-env")
        var logger = Logger(label: "webhook.test.receiver")
        logger.logLevel = .critical
        server = try HTTPServer(config: config, logger: logger)
        server.mount("/hook") { [weak self] request, responder in
            guard let self else { return }
            let attempt = self.hits.withLock { hits in
                hits.append(Hit(headers: request.headers, body: request.body))
                return hits.count
            }
            let (status, headers) = self.answer.withLock { $0 }(attempt, request.body)
            responder.respond(status: status, headers: headers, body: Array("r\(status)".utf8))
        }
        try server.start()
    }

    deinit { server.stop() }

    var url: String { "http://127.0.0.1:\(server.port)/hook" }
    var received: [Hit] { hits.withLock { $0 } }
    func setAnswer(_ answer: @escaping @Sendable (Int, [UInt8]) -> (Int, [(String, String)])) { self.answer.withLock { $0 = answer } }
}

/// A fresh directory, removed when the value goes away.
final class TemporaryDirectory: Sendable {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "junction-webhook-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String = "outbox.db") -> String { path + "/" + name }
}

/// Polls `condition` for up to `timeout` seconds.
func waitUntil(_ timeout: Double = 10, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: 0.01)
    }
    return try condition()
}

/// Runs `take` and waits for its completion; returns the failed count.
func take(_ deliverer: WebhookDeliverer, _ texts: [String], timeout: Double = 5) -> Int? {
    let result = Mutex<Int?>(nil)
    deliverer.take(texts.map { Message(text: $0) }) { failed in result.withLock { $0 = failed } }
    _ = waitUntil(timeout) { result.withLock { $0 } != nil }
    return result.withLock { $0 }
}

func closeAndWait(_ deliverer: WebhookDeliverer) {
    let closed = Mutex(false)
    deliverer.close { closed.withLock { $0 = true } }
    _ = waitUntil(20) { closed.withLock { $0 } }
}

func sinkConfig(_ url: String, _ extra: String = "") throws -> WebhookSinkConfig {
    try decode(WebhookSinkConfig.self, "{url: \"\(url)\"\(extra.isEmpty ? "" : ", " + extra)}")
}

private let quietLogger: Logger = {
    var l = Logger(label: "webhook.test")
    l.logLevel = .critical
    return l
}()

@Suite(.serialized) struct WebhookDelivererTests {
    let dir: TemporaryDirectory
    let outbox: Outbox

    init() throws {
        dir = try TemporaryDirectory()
        outbox = try Outbox(path: dir.file())
    }

    func deliverer(_ config: WebhookSinkConfig, target: String = "out", outbox: Outbox? = nil) throws -> WebhookDeliverer {
        let d = try WebhookDeliverer(target: target, config: config, outbox: outbox ?? self.outbox, logger: quietLogger)
        try d.start()
        return d
    }

    @Test func deliversSignedRequestsAndEmptiesTheOutbox() throws {
        let receiver = try TestReceiver()
        let secret = StandardWebhookSecret.random()
        let d = try deliverer(sinkConfig(receiver.url, "secret: \(secret.encoded), headers: {X-Env: test}"))
        #expect(take(d, [#"{"a":1}"#, "plain"]) == 0)
        #expect(waitUntil { receiver.received.count == 2 })
        #expect(waitUntil { (try? outbox.pendingCount(target: "out")) == 0 })
        for hit in receiver.received {
            let verified = try secret.verify(header: { hit.headers[$0] }, body: hit.body)
            #expect(verified.id.hasPrefix("msg_"))
            #expect(hit.headers["x-env"] == "test")
        }
        let types = Set(receiver.received.map { $0.headers["content-type"] ?? "" })
        #expect(types == ["application/json", "text/plain; charset=utf-8"])
        closeAndWait(d)
    }

    @Test func retriesWithTheSameIDUntilDelivered() throws {
        let receiver = try TestReceiver { attempt, _ in attempt < 3 ? (503, [("Retry-After", "0")]) : (200, []) }
        let d = try deliverer(sinkConfig(receiver.url, "retry: {schedule: [0s, 20ms, 20ms, 20ms], jitter: 0}"))
        #expect(take(d, ["one"]) == 0)
        #expect(waitUntil { receiver.received.count == 3 })
        let ids = Set(receiver.received.map { $0.headers["webhook-id"] ?? "" })
        #expect(ids.count == 1)
        #expect(waitUntil { (try? outbox.pendingCount(target: "out")) == 0 })
        #expect(try outbox.deadLetterCount(target: nil) == 0)
        closeAndWait(d)
    }

    @Test func aPermanentRefusalIsDeadAtOnceAndAnExhaustedScheduleLater() throws {
        let receiver = try TestReceiver { _, body in body == Array("gone".utf8) ? (410, []) : (500, []) }
        let d = try deliverer(sinkConfig(receiver.url, "retry: {schedule: [0s, 10ms, 10ms], jitter: 0}"))
        #expect(take(d, ["gone", "flaky"]) == 0)
        #expect(waitUntil { (try? outbox.deadLetterCount(target: "out")) == 2 })
        let letters = try outbox.deadLetters(target: "out", since: nil, limit: 10)
        let gone = try #require(letters.first { $0.payload == Array("gone".utf8) })
        #expect(gone.attempts == 1)
        #expect(gone.lastError.contains("410"))
        let flaky = try #require(letters.first { $0.payload == Array("flaky".utf8) })
        #expect(flaky.attempts == 3)
        #expect(flaky.lastError.contains("gave up after 3 attempts"))
        #expect(receiver.received.count == 4)
        closeAndWait(d)
    }

    @Test func whatOneRunLeftIsDeliveredByTheNext() throws {
        let receiver = try TestReceiver()
        // The first run's target is a closed port and its retries are far off.
        let down = try deliverer(sinkConfig("http://127.0.0.1:9/hook", "retry: {schedule: [0s, 1h]}"))
        #expect(take(down, (0..<20).map { "m\($0)" }) == 0)
        #expect(waitUntil { (try? outbox.pending(target: "out", after: 0, limit: 100).allSatisfy { $0.attempts == 1 }) == true })
        closeAndWait(down)
        #expect(try outbox.pendingCount(target: "out") == 20)
        // The next run points at a live receiver; the rows' due times are an hour away,
        // so it delivers them only when they fall due: make them due now.
        let replayed = try Outbox(path: dir.file())
        let rows = try replayed.pending(target: "out", after: 0, limit: 100)
        try replayed.settle(rows.map { .retry(id: $0.id, attempts: $0.attempts, nextAttemptAt: 0, error: "test") })
        let up = try deliverer(sinkConfig(receiver.url))
        #expect(waitUntil { receiver.received.count == 20 })
        #expect(Set(receiver.received.map { String(decoding: $0.body, as: UTF8.self) }) == Set((0..<20).map { "m\($0)" }))
        #expect(waitUntil { (try? outbox.pendingCount(target: "out")) == 0 })
        closeAndWait(up)
    }

    @Test func aSmallMemoryWindowStillDeliversEverythingFromDisk() throws {
        let receiver = try TestReceiver()
        let d = try deliverer(sinkConfig(receiver.url, "memory_window: 4, concurrency: 2"))
        for batch in 0..<10 { #expect(take(d, (0..<10).map { "b\(batch)-\($0)" }) == 0) }
        #expect(waitUntil { receiver.received.count == 100 })
        #expect(Set(receiver.received.map(\.body)).count == 100)
        // Reading back from disk recounts what is pending; delivered rows are not counted again.
        #expect(waitUntil { d.pendingCount == 0 })
        // Outcomes reach the outbox on the next flush (every 2 ms), not with the count.
        #expect(waitUntil { (try? outbox.pendingCount(target: "out")) == 0 })
        closeAndWait(d)
    }

    @Test func maxPendingHoldsTheWriteUntilDeliveriesMakeRoom() throws {
        let receiver = try TestReceiver { _, _ in (500, []) }
        let d = try deliverer(sinkConfig(receiver.url, "max_pending: 2, retry: {schedule: [0s, 50ms, 50ms, 50ms, 50ms, 50ms, 50ms, 50ms, 50ms, 50ms, 50ms], jitter: 0}"))
        #expect(take(d, ["a", "b"]) == 0)
        let done = Mutex<Int?>(nil)
        d.take([Message(text: "c")]) { failed in done.withLock { $0 = failed } }
        Thread.sleep(forTimeInterval: 0.3)
        #expect(done.withLock { $0 } == nil, "the third write waits while two are undelivered")
        receiver.setAnswer { _, _ in (200, []) }
        #expect(waitUntil { done.withLock { $0 } == 0 })
        #expect(waitUntil { Set(receiver.received.filter { _ in true }.map(\.body)).isSuperset(of: [Array("a".utf8), Array("b".utf8), Array("c".utf8)]) })
        closeAndWait(d)
    }

    @Test func rowsAnotherProcessReplaysAreDelivered() throws {
        let receiver = try TestReceiver { _, _ in (404, []) }
        let d = try deliverer(sinkConfig(receiver.url))
        #expect(take(d, ["lost"]) == 0)
        #expect(waitUntil { (try? outbox.deadLetterCount(target: "out")) == 1 })
        let id = try #require(receiver.received.first?.headers["webhook-id"])
        receiver.setAnswer { _, _ in (204, []) }
        let cli = try Outbox(path: dir.file())
        #expect(try cli.replay(target: "out", since: nil, now: 0) == 1)
        // Traffic right after the replay moves past the replayed row's id before the next poll.
        #expect(take(d, ["newer"]) == 0)
        #expect(waitUntil(5) { receiver.received.count == 3 })
        #expect(receiver.received.contains { $0.headers["webhook-id"] == id && $0.body == Array("lost".utf8) })
        #expect(waitUntil { (try? outbox.pendingCount(target: "out")) == 0 })
        #expect(waitUntil { d.pendingCount == 0 })
        closeAndWait(d)
    }
}

@Suite struct WebhookSinkConfigTests {
    @Test func headersThatJunctionOwnsOrThatCannotBeSentAreRefused() {
        #expect(decodeError(WebhookSinkConfig.self, #"{url: "http://x/h", headers: {Content-Length: "3"}}"#)?.message.contains("framing") == true)
        #expect(decodeError(WebhookSinkConfig.self, #"{url: "http://x/h", forward_headers: [webhook-signature]}"#)?.message.contains("Junction sets it") == true)
        #expect(decodeError(WebhookSinkConfig.self, #"{url: "http://x/h", headers: {"X Bad": v}}"#)?.message.contains("not a header name") == true)
        #expect(decodeError(WebhookSinkConfig.self, "{url: \"http://x/h\", headers: {X-A: \"a\\0b\"}}")?.message.contains("NUL") == true)
        #expect(decodeError(WebhookSinkConfig.self, #"{url: "ftp://x/h"}"#) != nil)
        #expect(decodeError(WebhookSinkConfig.self, #"{url: "https://x/h", headers: {Content-Type: text/csv}, forward_headers: [x-github-event]}"#) == nil)
    }
}
