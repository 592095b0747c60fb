import Dispatch
import Logging
import Synchronization

/// The user side of one ``HTTPClient`` transfer: its closures and the serial
/// queue they run on, never the curl thread.
///
/// The curl thread only hands over copies (``head(status:headers:)``,
/// ``chunk(_:)``, ``complete(_:)``), each as one `async` onto `queue`; lines
/// are cut there. Delivery stops at once, between two lines, when the
/// transfer is paused or cancelled, and the completion runs exactly once,
/// after which the closures are dropped (so whatever they captured is
/// released on this queue).
///
/// - A failure is delivered as soon as it is known; lines not yet delivered
///   are dropped.
/// - A success waits until every line, including the unterminated last one,
///   has been delivered, which for a paused stream means after ``resume()``.
/// - After ``cancel()`` the completion is `.cancelled`, unless it already ran.
final class TransferDelivery: Sendable {
    enum Handlers: Sendable {
        case whole(@Sendable (Result<HTTPClientResponse, HTTPClientError>) -> Void)
        case stream(
            onHead: @Sendable (Int, [String: String]) -> Void,
            onLine: @Sendable ([UInt8]) -> Void,
            completion: @Sendable (Result<Int, HTTPClientError>) -> Void)
    }

    private enum Event {
        case head(Int, [String: String])
        case line([UInt8])
    }

    private struct State {
        var handlers: Handlers?
        var events: [Event] = []
        var next = 0
        var splitter = LineSplitter()
        var outcome: Result<HTTPClientResponse, HTTPClientError>?
        var headDelivered = false
        var paused = false
        var cancelled = false
    }

    private enum Step {
        case idle
        case head(@Sendable (Int, [String: String]) -> Void, Int, [String: String])
        case line(@Sendable ([UInt8]) -> Void, [UInt8])
        case finish(Handlers, Result<HTTPClientResponse, HTTPClientError>)
    }

    let queue: DispatchQueue
    let isStream: Bool
    /// Body bytes curl has handed over so far (counted on the curl thread; for tests and diagnostics).
    let receivedBytes = Atomic<Int>(0)
    private let logger: Logger
    private let label: String
    private let state: Mutex<State>

    init(handlers: Handlers, logger: Logger, label: String, queue: DispatchQueue? = nil) {
        if case .stream = handlers { isStream = true } else { isStream = false }
        self.logger = logger
        self.label = label
        self.queue = queue ?? DispatchQueue(label: "junction.http.client.transfer", qos: .userInitiated)
        self.state = Mutex(State(handlers: handlers))
    }

    // MARK: - From the curl thread

    /// The final response head (streams only).
    func head(status: Int, headers: [String: String]) {
        queue.async { [self] in
            state.withLock { $0.events.append(.head(status, headers)) }
            drain()
        }
    }

    /// A piece of a stream's body, copied out of curl's buffer.
    func chunk(_ bytes: [UInt8]) {
        queue.async { [self] in
            state.withLock { s in
                for line in s.splitter.append(bytes) { s.events.append(.line(line)) }
            }
            drain()
        }
    }

    /// How the transfer ended; only the first call counts.
    func complete(_ outcome: Result<HTTPClientResponse, HTTPClientError>) {
        queue.async { [self] in completeOnQueue(outcome) }
    }

    /// ``complete(_:)`` for a caller already on ``queue`` (the curl thread
    /// hands several transfers that share a queue over in one block).
    func completeOnQueue(_ outcome: Result<HTTPClientResponse, HTTPClientError>) {
        state.withLock { s in
            if s.outcome == nil { s.outcome = outcome }
        }
        drain()
    }

    // MARK: - From any thread

    /// Stops delivering lines (after the one running, if any).
    func pause() {
        state.withLock { $0.paused = true }
    }

    /// Delivers what waited, then continues.
    func resume() {
        state.withLock { $0.paused = false }
        queue.async { [self] in drain() }
    }

    /// Stops delivering and completes with `.cancelled` unless the completion already ran.
    func cancel() {
        state.withLock { $0.cancelled = true }
        queue.async { [self] in drain() }
    }

    /// Whether ``cancel()`` was called.
    var isCancelled: Bool {
        state.withLock { $0.cancelled }
    }

    // MARK: - On the queue

    private func drain() {
        while true {
            switch state.withLock({ nextStep(&$0) }) {
            case .idle:
                return
            case .head(let onHead, let status, let headers):
                onHead(status, headers)
            case .line(let onLine, let line):
                onLine(line)
            case .finish(let handlers, let outcome):
                finish(handlers, outcome)
                return
            }
        }
    }

    private func nextStep(_ s: inout State) -> Step {
        guard let handlers = s.handlers else { return .idle }
        if s.cancelled {
            s.handlers = nil
            return .finish(handlers, .failure(.cancelled))
        }
        if case .failure(let error)? = s.outcome {
            s.handlers = nil
            return .finish(handlers, .failure(error))
        }
        guard case .stream(let onHead, let onLine, _) = handlers else {
            guard let outcome = s.outcome else { return .idle }
            s.handlers = nil
            return .finish(handlers, outcome)
        }
        if s.paused { return .idle }
        if s.next < s.events.count {
            let event = s.events[s.next]
            s.next += 1
            if s.next == s.events.count {
                s.events.removeAll(keepingCapacity: true)
                s.next = 0
            }
            switch event {
            case .head(let status, let headers):
                s.headDelivered = true
                return .head(onHead, status, headers)
            case .line(let line):
                return .line(onLine, line)
            }
        }
        guard case .success(let response)? = s.outcome else { return .idle }
        if !s.headDelivered {
            s.headDelivered = true
            return .head(onHead, response.status, response.headers)
        }
        if let last = s.splitter.finish() {
            return .line(onLine, last)
        }
        s.handlers = nil
        return .finish(handlers, .success(response))
    }

    private func finish(_ handlers: Handlers, _ outcome: Result<HTTPClientResponse, HTTPClientError>) {
        if case .failure(let error) = outcome, error != .cancelled, error != .shutdown {
            logger.debug("HTTP client transfer failed", metadata: ["request": "\(label)", "error": "\(error)"])
        }
        switch handlers {
        case .whole(let completion):
            completion(outcome)
        case .stream(_, _, let completion):
            completion(outcome.map(\.status))
        }
    }
}
