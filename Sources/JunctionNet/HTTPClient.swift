import Dispatch
import Logging
import Synchronization

/// HTTP/1.1 (and HTTPS) client on libcurl's multi interface.
///
/// All clients share one curl thread and one connection cache, so
/// kept-alive connections are reused across requests; each client has its
/// own cookie jar. Closures run on a serial queue per transfer, never on
/// the curl thread: for a stream, `onHead` once, then `onLine` for each
/// line in order, then the completion, which runs exactly once.
///
/// ```swift
/// let client = try HTTPClient(logger: Logger(label: "xrtc.client"))
/// defer { client.shutdown() }
///
/// let response = try await client.send(HTTPClientRequest(
///     method: "POST", url: "https://portal.example/v1/item/set",
///     headers: [("Content-Type", "application/json")], body: body))
/// print(response.status, response.header("content-type") ?? "-")
///
/// let task = client.stream(HTTPClientRequest(url: streamURL, timeout: 0),
///     onHead: { status, _ in print("status", status) },
///     onLine: { line in handle(line) },
///     completion: { result in print("stream ended:", result) })
/// // task.pause() / task.resume() / task.cancel()
/// ```
public final class HTTPClient: Sendable {
    private let id: UInt64
    private let config: HTTPClientConfig
    private let logger: Logger
    private let loop: CurlLoop
    private let closed = Atomic<Bool>(false)

    /// Validates `config`, starts the shared curl thread if needed and
    /// creates this client's cookie jar.
    ///
    /// ```swift
    /// var config = HTTPClientConfig()
    /// config.connectTimeout = 2
    /// let client = try HTTPClient(config: config, logger: logger)
    /// ```
    public init(config: HTTPClientConfig = .init(), logger: Logger) throws(HTTPClientError) {
        try Self.validate(config)
        let loop = try CurlLoop.shared.get()
        let id = loop.nextID()
        let limit = config.maxConnectionsPerHost
        let registered = loop.sync { $0.register(client: id, maxConnectionsPerHost: limit) }
        try (registered ?? .failure(.transfer("curl thread did not answer"))).get()
        self.id = id
        self.config = config
        self.logger = logger
        self.loop = loop
    }

    deinit {
        shutdown()
    }

    /// Sends `request` and calls `completion` once with the whole response
    /// (any status) or why there is none.
    ///
    /// ```swift
    /// client.send(HTTPClientRequest(url: "http://127.0.0.1:8080/health")) { result in
    ///     if case .success(let response) = result { print(response.status) }
    /// }
    /// ```
    @discardableResult
    public func send(
        _ request: HTTPClientRequest,
        completion: @escaping @Sendable (Result<HTTPClientResponse, HTTPClientError>) -> Void
    ) -> HTTPClientTask {
        start(request, handlers: .whole(completion))
    }

    /// ``send(_:completion:)`` with `completion` run on `queue`, a serial
    /// queue of the caller's, instead of one of the transfer's own: a caller
    /// that would hop to its queue anyway saves that hop.
    ///
    /// ```swift
    /// client.send(request, on: myQueue) { result in self.finished(result) }   // already on myQueue
    /// ```
    @discardableResult
    public func send(
        _ request: HTTPClientRequest,
        on queue: DispatchQueue,
        completion: @escaping @Sendable (Result<HTTPClientResponse, HTTPClientError>) -> Void
    ) -> HTTPClientTask {
        start(request, handlers: .whole(completion), queue: queue)
    }

    /// Sends `request` and returns the whole response (any status).
    /// Cancelling the calling task cancels the transfer (`.cancelled`).
    ///
    /// ```swift
    /// let response = try await client.send(HTTPClientRequest(url: url))
    /// ```
    public func send(_ request: HTTPClientRequest) async throws(HTTPClientError) -> HTTPClientResponse {
        let pending = PendingTask()
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<HTTPClientResponse, HTTPClientError>, Never>) in
                pending.attach(send(request) { continuation.resume(returning: $0) })
            }
        } onCancel: {
            pending.cancel()
        }
        return try result.get()
    }

    /// Streams the response: `onHead(status, headers)` once, then `onLine`
    /// with every complete line of the body (without its `\n` or `\r\n`) in
    /// order as it arrives, the unterminated last line at the end, then
    /// `completion(.success(status))`; or `completion(.failure)`.
    /// Set ``HTTPClientRequest/timeout`` to `0` for streams that may run
    /// longer than ``HTTPClientConfig/requestTimeout``.
    ///
    /// ```swift
    /// let task = client.stream(HTTPClientRequest(url: url, timeout: 0),
    ///     onHead: { status, headers in print(status, headers["content-type"] ?? "") },
    ///     onLine: { line in print(String(decoding: line, as: UTF8.self)) },
    ///     completion: { result in print(result) })
    /// ```
    @discardableResult
    public func stream(
        _ request: HTTPClientRequest,
        onHead: @escaping @Sendable (Int, [String: String]) -> Void,
        onLine: @escaping @Sendable ([UInt8]) -> Void,
        completion: @escaping @Sendable (Result<Int, HTTPClientError>) -> Void
    ) -> HTTPClientTask {
        start(request, handlers: .stream(onHead: onHead, onLine: onLine, completion: completion))
    }

    /// The cookies this client has received, name → value (for tests and
    /// diagnostics). Asks the curl thread and waits briefly for the answer.
    ///
    /// ```swift
    /// let session = client.cookies["session"]
    /// ```
    public var cookies: [String: String] {
        guard !closed.load(ordering: .acquiring) else { return [:] }
        let id = id
        return loop.sync { $0.cookies(client: id) } ?? [:]
    }

    /// Ends every transfer in flight (their completions get `.shutdown`) and
    /// frees the client's curl handles; later requests fail with `.shutdown`.
    /// Idempotent; also done when the client is released.
    ///
    /// ```swift
    /// client.shutdown()
    /// ```
    public func shutdown() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let id = id
        loop.run { $0.unregister(client: id) }
        logger.debug("HTTP client shut down")
    }

    private func start(_ request: HTTPClientRequest, handlers: TransferDelivery.Handlers, queue: DispatchQueue? = nil) -> HTTPClientTask {
        let delivery = TransferDelivery(handlers: handlers, logger: logger, label: request.method + " " + request.url, queue: queue)
        let task = HTTPClientTask(id: loop.nextID(), delivery: delivery, inbox: loop.inbox)
        guard !closed.load(ordering: .acquiring) else {
            delivery.complete(.failure(.shutdown))
            return task
        }
        let options = CurlOptions(config: config, requestTimeout: request.timeout)
        loop.inbox.send(.start(CurlJob(id: task.id, clientID: id, request: request, options: options, delivery: delivery)))
        return task
    }

    private static func validate(_ config: HTTPClientConfig) throws(HTTPClientError) {
        guard config.connectTimeout >= 0, config.connectTimeout.isFinite else {
            throw .transfer("invalid configuration: connectTimeout must not be negative (0 means curl's default)")
        }
        guard config.requestTimeout >= 0, !config.requestTimeout.isNaN else {
            throw .transfer("invalid configuration: requestTimeout must not be negative (0 means no limit)")
        }
        guard config.maxConnectionsPerHost >= 1 else {
            throw .transfer("invalid configuration: maxConnectionsPerHost must be at least 1")
        }
    }
}

/// The transfer behind an `async` send, so task cancellation can reach it
/// whether it comes before or after the transfer started.
private final class PendingTask: Sendable {
    private struct State {
        var task: HTTPClientTask?
        var cancelled = false
    }

    private let state = Mutex(State())

    func attach(_ task: HTTPClientTask) {
        let cancelNow = state.withLock { s -> Bool in
            s.task = task
            return s.cancelled
        }
        if cancelNow { task.cancel() }
    }

    func cancel() {
        let task = state.withLock { s -> HTTPClientTask? in
            s.cancelled = true
            return s.task
        }
        task?.cancel()
    }
}
