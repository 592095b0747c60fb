import Foundation
import JunctionNet
import Logging
import Synchronization

/// Runs blocking socket work on its own thread so the Swift concurrency pool
/// (and the server's handler queue, which shares Dispatch's workers) stays free.
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.start()
    }
}

/// Polls `condition` until it holds or `timeout` seconds pass.
func eventually(timeout: Double = 10, _ condition: @Sendable () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        try? await Task.sleep(nanoseconds: 20_000_000)
    }
    return condition()
}

/// A started server on 127.0.0.1 and an ephemeral port.
func startedServer(
    _ configure: (inout HTTPServerConfig) -> Void = { _ in },
    mounts: (HTTPServer) -> Void
) throws -> HTTPServer {
    var config = HTTPServerConfig(host: "127.0.0.1", port: 0)
    configure(&config)
    var logger = Logger(label: "junction.net.test")
    logger.logLevel = .warning
    let server = try HTTPServer(config: config, logger: logger)
    mounts(server)
    try server.start()
    return server
}

/// Answers with what it saw: method, path, query, a header and the body.
let echoHandler: @Sendable (HTTPRequest, HTTPResponder) -> Void = { request, responder in
    let query = request.query.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
    responder.respond(
        status: 200,
        headers: [
            ("Content-Type", "application/octet-stream"),
            ("X-Method", request.method),
            ("X-Path", request.path),
            ("X-Query", query),
            ("X-Test", request.header("X-Test") ?? "-"),
            ("X-Content-Type", request.header("content-type") ?? "-"),
        ],
        body: request.body)
}

/// A thread-safe value box for handler → test communication.
final class Box<Value: Sendable>: Sendable {
    private let value: Mutex<Value>
    init(_ value: Value) { self.value = Mutex(value) }
    func get() -> Value { value.withLock { $0 } }
    func set(_ v: Value) { value.withLock { $0 = v } }
    func update<R: Sendable>(_ body: @Sendable (inout Value) -> R) -> R { value.withLock { body(&$0) } }
}

