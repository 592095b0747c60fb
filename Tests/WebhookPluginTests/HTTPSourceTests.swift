import Foundation
import Junction
import JunctionNet
import Logging
import Synchronization
import Testing
@testable import WebhookPlugin

/// A source output the test controls: keeps emitted messages (and so their
/// receipts) until the test lets them go or marks them.
final class HeldOutput: SourceOutput, @unchecked Sendable {
    private let held = Mutex<[Message]>([])
    func emit(_ batch: [Message]) { held.withLock { $0 += batch } }
    func finish() {}
    var isPaused: Bool { false }

    var messages: [Message] { held.withLock { $0 } }
    /// Releases every held message (settling receipts nobody marked as accepted).
    func release() { held.withLock { $0 = [] } }
    /// Releases every held message but those whose text is `keep`.
    func release(keeping keep: String) { held.withLock { $0.removeAll { $0.text != keep } } }
}

/// A source on a started listener, and a way to send it requests.
struct SourceHarness {
    let listener: HTTPListener
    let source: HTTPSource
    let output = HeldOutput()
    let client: HTTPClient

    init(_ yaml: String) throws {
        listener = HTTPListener()
        var listen = ListenConfig()
        listen.port = 0
        listener.configure(listen)
        var logger = Logger(label: "http.source.test")
        logger.logLevel = .critical
        let config = try decode(HTTPSourceConfig.self, yaml)
        source = try HTTPSource(config: config, context: ComponentContext(name: "hooks", type: "http", logger: logger), listener: listener)
        try listener.start()
        try source.start(output)
        var clientConfig = HTTPClientConfig()
        clientConfig.maxConnectionsPerHost = 64  // requests held in the pipeline each keep a connection
        client = try HTTPClient(config: clientConfig, logger: logger)
    }

    func stop() {
        source.stop()
        listener.stop()
        client.shutdown()
    }

    /// Sends a request in the background; the result lands in the returned box.
    func send(_ method: String = "POST", path: String = "/in", headers: [(String, String)] = [], body: String) -> Pending {
        let box = Pending()
        client.send(HTTPClientRequest(method: method, url: "http://127.0.0.1:\(listener.port)\(path)", headers: headers, body: Array(body.utf8))) { result in
            box.result.withLock { $0 = result }
        }
        return box
    }

    func response(_ box: Pending, timeout: Double = 10) throws -> HTTPClientResponse {
        _ = waitUntil(timeout) { box.isDone }
        return try #require(box.result.withLock { $0 }).get()
    }
}

/// A request's answer, once it comes.
final class Pending: Sendable {
    let result = Mutex<Result<HTTPClientResponse, HTTPClientError>?>(nil)
    var isDone: Bool { result.withLock { $0 != nil } }
}

@Suite(.serialized) struct HTTPSourceTests {
    @Test func answers202OnlyOnceThePipelineLetsTheMessageGo() throws {
        let h = try SourceHarness("{path: /in}")
        defer { h.stop() }
        let pending = h.send(headers: [("Content-Type", "application/json"), ("X-Request-Id", "r-1")], body: #"{"a":1}"#)
        #expect(waitUntil { h.output.messages.count == 1 })
        Thread.sleep(forTimeInterval: 0.1)
        #expect(!pending.isDone, "no answer while the message is in the pipeline")
        do {
            let m = h.output.messages[0]
            #expect(m.kind == .text)
            #expect(m.text == #"{"a":1}"#)
            #expect(m.metadata["content_type"] == "application/json")
            #expect(m.metadata["header.x-request-id"] == "r-1")
            #expect(m.metadata["http_method"] == "POST")
            #expect(m.metadata["http_path"] == "/in")
        }
        h.output.release()
        let r = try h.response(pending)
        #expect(r.status == 202)
        #expect(r.body == Array(#"{"status":"accepted"}"#.utf8))
    }

    @Test func rejectedIs422AndFailedIs503WithRetryAfter() throws {
        let h = try SourceHarness("{path: /in, retry_after: 9}")
        defer { h.stop() }
        let bad = h.send(body: "x")
        let lost = h.send(body: "y")
        #expect(waitUntil { h.output.messages.count == 2 })
        for m in h.output.messages {
            if m.text == "x" { m.receipt?.reject("transform: not JSON") } else { m.receipt?.fail("sink down") }
        }
        h.output.release()
        let r1 = try h.response(bad), r2 = try h.response(lost)
        #expect(r1.status == 422)
        #expect(String(decoding: r1.body, as: UTF8.self) == #"{"error":"transform: not JSON"}"#)
        #expect(r2.status == 503)
        #expect(r2.header("retry-after") == "9")
    }

    @Test func aPausedSourceHoldsRequestsAndTakesThemInOrderOnResume() throws {
        let h = try SourceHarness("{path: /in, max_wait: 5s}")
        defer { h.stop() }
        h.source.pause()
        let first = h.send(body: "1")
        Thread.sleep(forTimeInterval: 0.1)
        let second = h.send(body: "2")
        Thread.sleep(forTimeInterval: 0.2)
        #expect(h.output.messages.isEmpty, "a paused source takes nothing")
        h.source.resume()
        #expect(waitUntil { h.output.messages.count == 2 })
        #expect(h.output.messages.map(\.text) == ["1", "2"])
        h.output.release()
        #expect(try h.response(first).status == 202)
        #expect(try h.response(second).status == 202)
    }

    @Test func aSlowRequestDoesNotKeepTheAnsweredOnesAround() throws {
        let h = try SourceHarness("{path: /in}")
        defer { h.stop() }
        let slow = h.send(body: "slow")
        #expect(waitUntil { h.output.messages.count == 1 })
        let fast = (0..<20).map { h.send(body: "fast \($0)") }
        #expect(waitUntil { h.output.messages.count == 21 })
        h.output.release(keeping: "slow")
        for pending in fast { #expect(try h.response(pending).status == 202) }
        // The sweeper (every 100 ms) forgets the answered ones behind the slow head.
        #expect(waitUntil(2) { h.source.outstandingCount == 1 })
        #expect(!slow.isDone)
        h.output.release()
        #expect(try h.response(slow).status == 202)
    }

    @Test func aRequestPausedPastMaxWaitGets503() throws {
        let h = try SourceHarness("{path: /in, max_wait: 200ms}")
        defer { h.stop() }
        h.source.pause()
        let started = Date()
        let r = try h.response(h.send(body: "late"))
        #expect(r.status == 503)
        #expect(r.header("retry-after") == "1")
        #expect(Date().timeIntervalSince(started) < 2)
        h.source.resume()
        Thread.sleep(forTimeInterval: 0.1)
        #expect(h.output.messages.isEmpty, "a refused request never becomes a message")
    }

    @Test func methodsAndTokensAreChecked() throws {
        let h = try SourceHarness("{path: /in, token: s3cret}")
        defer { h.stop() }
        let get = try h.response(h.send("GET", body: ""))
        #expect(get.status == 405)
        #expect(get.header("allow") == "POST, PUT")
        #expect(try h.response(h.send(body: "no token")).status == 401)
        let wrong = try h.response(h.send(headers: [("Authorization", "Bearer s3cres")], body: "wrong"))
        #expect(wrong.status == 401)
        #expect(wrong.header("www-authenticate") == "Bearer")
        let good = h.send("PUT", headers: [("Authorization", "Bearer s3cret")], body: "ok")
        #expect(waitUntil { h.output.messages.count == 1 })
        #expect(h.output.messages.first?.metadata["header.authorization"] == nil, "the token stays here")
        h.output.release()
        #expect(try h.response(good).status == 202)
    }

    @Test func signedRequestsAreVerified() throws {
        let secret = StandardWebhookSecret.random()
        let h = try SourceHarness("{path: /in, secret: \(secret.encoded)}")
        defer { h.stop() }
        let now = Int64(Date().timeIntervalSince1970)
        let body = #"{"signed":true}"#
        let headers = try secret.headers(id: "msg_1", timestamp: now, body: Array(body.utf8))
        let good = h.send(headers: headers, body: body)
        #expect(waitUntil { h.output.messages.count == 1 })
        h.output.release()
        #expect(try h.response(good).status == 202)
        let tampered = try h.response(h.send(headers: headers, body: body + " "))
        #expect(tampered.status == 401)
        #expect(String(decoding: tampered.body, as: UTF8.self).contains("signature"))
        #expect(h.output.messages.isEmpty)
    }

    @Test func oversizedBodiesGet413BeforeTheSourceSeesThem() throws {
        let h = try SourceHarness("{path: /in, max_body: 16}")
        defer { h.stop() }
        #expect(try h.response(h.send(body: String(repeating: "x", count: 17))).status == 413)
        Thread.sleep(forTimeInterval: 0.1)
        #expect(h.output.messages.isEmpty)
    }

    @Test func textOrBinaryFollowsTheContentType() {
        #expect(HTTPSource.isText(contentType: "application/json; charset=utf-8", body: []))
        #expect(HTTPSource.isText(contentType: "text/csv", body: []))
        #expect(HTTPSource.isText(contentType: "application/cloudevents+json", body: []))
        #expect(!HTTPSource.isText(contentType: "application/octet-stream", body: Array("abc".utf8)))
        #expect(HTTPSource.isText(contentType: nil, body: Array("héllo".utf8)))
        #expect(!HTTPSource.isText(contentType: nil, body: [0xFF, 0xFE]))
    }

    @Test func errorBodiesAreValidJSON() throws {
        let body = HTTPSourceAnswers.error("a \"quoted\"\nline\u{1} é")
        let parsed = try JSONSerialization.jsonObject(with: Data(body)) as? [String: String]
        #expect(parsed?["error"] == "a \"quoted\" line  é", "quotes escaped, control characters blanked")
    }
}

@Suite struct WebhookEnvelopeTests {
    @Test func roundTripsThroughTheOutboxBlob() {
        var m = Message(text: #"  {"a":1}"#)
        m.metadata["header.x-github-event"] = "push"
        m.metadata["header.x-evil"] = "a\r\nInjected: yes"
        let e = WebhookEnvelope(message: m, forward: ["X-GitHub-Event", "x-evil", "x-absent"])
        #expect(e.headers.map(\.name) == ["Content-Type", "X-GitHub-Event"])
        #expect(e.headers[0].value == "application/json")
        #expect(WebhookEnvelope(decoding: e.encoded) == e)
    }

    @Test func contentTypeComesFromMetadataOrThePayload() {
        var typed = Message(text: "<a/>")
        typed.metadata["content_type"] = "application/xml"
        #expect(WebhookEnvelope.contentType(of: typed) == "application/xml")
        #expect(WebhookEnvelope.contentType(of: Message(text: "[1]")) == "application/json")
        #expect(WebhookEnvelope.contentType(of: Message(text: "hi")) == "text/plain; charset=utf-8")
        #expect(WebhookEnvelope.contentType(of: Message(payload: [1, 2])) == "application/octet-stream")
    }

    @Test func theRetryHeapPopsInDueOrderAndOnlyWhenDue() {
        var heap = RetryHeap()
        let dues: [Int64] = [50, 10, 40, 10, 30, 20, 60]
        for (i, due) in dues.enumerated() {
            heap.push(WebhookDelivery(id: Int64(i), entry: .init(target: "t", messageID: "m\(i)", payload: [], meta: [], createdAt: 0),
                                      envelope: WebhookEnvelope(headers: [])), due: due)
        }
        #expect(heap.popDue(now: 5) == nil)
        var popped: [Int64] = []
        while let d = heap.popDue(now: 45) { popped.append(dues[Int(d.id)]) }
        #expect(popped == [10, 10, 20, 30, 40])
        #expect(heap.count == 2)
        #expect(heap.nextDue == 50)
    }
}
