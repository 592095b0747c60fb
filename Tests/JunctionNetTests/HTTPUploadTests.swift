import Foundation
@testable import JunctionNet
import Logging
import Testing

@Suite("HTTPUpload")
struct HTTPUploadTests {
    /// What the server saw of each PUT.
    final class Received: Sendable {
        let requests = Box<[(method: String, path: String, contentType: String?, body: [UInt8])]>([])
        var count: Int { requests.get().count }
    }

    /// `/ok` answers 200, `/created` 201, `/fail` 500 with a body, `/long` 503 with a long body.
    static func server(_ received: Received) throws -> HTTPServer {
        try startedServer({ $0.maxBodySize = 1 << 20 }) { server in
            let record: @Sendable (HTTPRequest) -> Void = { request in
                received.requests.update { $0.append((request.method, request.path, request.header("content-type"), request.body)) }
            }
            server.mount("/ok") { request, responder in
                record(request)
                responder.respond(status: 200, headers: [("ETag", "\"abc\"")], body: Array("stored".utf8))
            }
            server.mount("/created") { request, responder in
                record(request)
                responder.respond(status: 201, body: Array("created".utf8))
            }
            server.mount("/fail") { request, responder in
                record(request)
                responder.respond(status: 500, body: Array("boom:\n disk full".utf8))
            }
            server.mount("/long") { request, responder in
                record(request)
                responder.respond(status: 503, body: Array(String(repeating: "é", count: 300).utf8))
            }
        }
    }

    static func client() throws -> HTTPClient {
        var logger = Logger(label: "junction.net.upload.test")
        logger.logLevel = .warning
        return try HTTPClient(logger: logger)
    }

    static func temporaryFile(_ bytes: [UInt8]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("upload-\(UInt64.random(in: 0 ... .max))").path
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { throw HTTPUploadError.file(path: path, reason: "setup") }
        return path
    }

    /// The callback form, awaited.
    static func callback(_ body: @escaping @Sendable (@escaping @Sendable (Result<HTTPClientResponse, HTTPUploadError>) -> Void) -> Void) async
        -> Result<HTTPClientResponse, HTTPUploadError>
    {
        await withCheckedContinuation { continuation in body { continuation.resume(returning: $0) } }
    }

    @Test("200 is success and the server got the PUT with its body and headers")
    func okBytes() async throws {
        let received = Received()
        let server = try Self.server(received)
        defer { server.stop() }
        let client = try Self.client()
        defer { client.shutdown() }
        let upload = HTTPUpload(client: client)
        let body = (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let response = try await upload.put(body, to: "http://127.0.0.1:\(server.port)/ok", headers: [("Content-Type", "application/octet-stream")])
        #expect(response.status == 200)
        #expect(response.header("etag") == "\"abc\"")
        #expect(String(decoding: response.body, as: UTF8.self) == "stored")
        let seen = received.requests.get()
        #expect(seen.count == 1)
        #expect(seen.first?.method == "PUT")
        #expect(seen.first?.path == "/ok")
        #expect(seen.first?.contentType == "application/octet-stream")
        #expect(seen.first?.body == body)

        let viaCallback = await Self.callback { done in upload.put(Array("hi".utf8), to: "http://127.0.0.1:\(server.port)/ok", completion: done) }
        #expect((try? viaCallback.get())?.status == 200)
        #expect(received.requests.get().last?.body == Array("hi".utf8))
    }

    @Test("201 and 500 are failures carrying the status and a body excerpt; the body was still sent")
    func otherStatuses() async throws {
        let received = Received()
        let server = try Self.server(received)
        defer { server.stop() }
        let client = try Self.client()
        defer { client.shutdown() }
        let upload = HTTPUpload(client: client)
        let base = "http://127.0.0.1:\(server.port)"

        await #expect(throws: HTTPUploadError.status(201, excerpt: "created")) {
            try await upload.put(Array("a".utf8), to: base + "/created")
        }
        let failed = await Self.callback { done in upload.put(Array("b".utf8), to: base + "/fail", completion: done) }
        guard case .failure(let error) = failed else {
            Issue.record("expected a failure, got \(failed)")
            return
        }
        #expect(error == .status(500, excerpt: "boom:  disk full"))
        #expect(error.description == "upload answered 500 (expected 200): boom:  disk full")
        let empty = await Self.callback { done in upload.put([], to: base + "/created", completion: done) }
        #expect(throws: HTTPUploadError.status(201, excerpt: "created")) { try empty.get() }

        do {
            _ = try await upload.put([1], to: base + "/long")
            Issue.record("503 passed")
        } catch .status(let code, let excerpt) {
            #expect(code == 503)
            #expect(excerpt == String(repeating: "é", count: 100) + "…")
        } catch {
            Issue.record("unexpected \(error)")
        }
        #expect(received.requests.get().map(\.body) == [Array("a".utf8), Array("b".utf8), [], [1]])
        #expect(received.requests.get().allSatisfy { $0.method == "PUT" })
    }

    @Test("A file's contents go up whole, async and by callback")
    func fileUpload() async throws {
        let received = Received()
        let server = try Self.server(received)
        defer { server.stop() }
        let client = try Self.client()
        defer { client.shutdown() }
        let upload = HTTPUpload(client: client, maxFileSize: 300_000)
        let bytes = (0..<300_000).map { _ in UInt8.random(in: 0 ... 255) }
        let path = try Self.temporaryFile(bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let url = "http://127.0.0.1:\(server.port)/ok"

        let response = try await upload.put(fileAt: path, to: url)
        #expect(response.status == 200)
        let viaCallback = await Self.callback { done in upload.put(fileAt: path, to: url, completion: done) }
        #expect((try? viaCallback.get())?.status == 200)
        let seen = received.requests.get()
        #expect(seen.count == 2)
        #expect(seen.allSatisfy { $0.method == "PUT" && $0.body == bytes })

        let failing = await Self.callback { done in upload.put(fileAt: path, to: "http://127.0.0.1:\(server.port)/fail", completion: done) }
        #expect(throws: HTTPUploadError.status(500, excerpt: "boom:  disk full")) { try failing.get() }
    }

    @Test("Files over the limit, missing files and directories fail before any request")
    func fileErrors() async throws {
        let received = Received()
        let server = try Self.server(received)
        defer { server.stop() }
        let client = try Self.client()
        defer { client.shutdown() }
        let upload = HTTPUpload(client: client, maxFileSize: 10)
        let url = "http://127.0.0.1:\(server.port)/ok"
        let big = try Self.temporaryFile(Array(repeating: 1, count: 11))
        let exact = try Self.temporaryFile(Array(repeating: 2, count: 10))
        defer {
            try? FileManager.default.removeItem(atPath: big)
            try? FileManager.default.removeItem(atPath: exact)
        }

        await #expect(throws: HTTPUploadError.fileTooLarge(path: big, size: 11, limit: 10)) {
            try await upload.put(fileAt: big, to: url)
        }
        let tooLarge = await Self.callback { done in upload.put(fileAt: big, to: url, completion: done) }
        #expect(throws: HTTPUploadError.fileTooLarge(path: big, size: 11, limit: 10)) { try tooLarge.get() }
        #expect(HTTPUploadError.fileTooLarge(path: big, size: 11, limit: 10).description.contains("limit of 10 bytes"))

        await #expect(throws: HTTPUploadError.file(path: "/nonexistent/rec.json", reason: "no such file")) {
            try await upload.put(fileAt: "/nonexistent/rec.json", to: url)
        }
        let directory = FileManager.default.temporaryDirectory.path
        let dir = await Self.callback { done in upload.put(fileAt: directory, to: url, completion: done) }
        #expect(throws: HTTPUploadError.file(path: directory, reason: "is a directory")) { try dir.get() }
        #expect(received.count == 0)

        // Exactly at the limit is fine.
        #expect(try await upload.put(fileAt: exact, to: url).status == 200)
        #expect(received.requests.get().map(\.body) == [Array(repeating: 2, count: 10)])
    }

    @Test("Transport errors are carried: refused connections and bad URLs")
    func transportErrors() async throws {
        let stopped = try startedServer { _ in }
        let port = stopped.port
        stopped.stop()
        let client = try Self.client()
        defer { client.shutdown() }
        let upload = HTTPUpload(client: client)
        do {
            _ = try await upload.put([1, 2, 3], to: "http://127.0.0.1:\(port)/ok")
            Issue.record("upload to a closed port passed")
        } catch .transport(.connect) {
        } catch {
            Issue.record("unexpected \(error)")
        }
        let bad = await Self.callback { done in upload.put([1], to: "ftp://example/x", completion: done) }
        guard case .failure(.transport(.invalidURL)) = bad else {
            Issue.record("expected .transport(.invalidURL), got \(bad)")
            return
        }
    }

    @Test("Excerpts are one line, at most 200 bytes, cut cleanly")
    func excerpts() {
        #expect(HTTPUpload.excerpt([]) == "")
        #expect(HTTPUpload.excerpt(Array("  a\r\nb\t ".utf8)) == "a  b")
        #expect(HTTPUpload.excerpt(Array(repeating: 0x41, count: 200)) == String(repeating: "A", count: 200))
        #expect(HTTPUpload.excerpt(Array(repeating: 0x41, count: 201)) == String(repeating: "A", count: 200) + "…")
        #expect(HTTPUpload.excerpt([0xFF, 0x41]) == "\u{FFFD}A")
        let split = Array(("A" + String(repeating: "é", count: 150)).utf8)
        #expect(HTTPUpload.excerpt(split) == "A" + String(repeating: "é", count: 99) + "…")
    }
}
