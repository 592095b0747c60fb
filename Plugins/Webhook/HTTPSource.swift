import Dispatch
import Foundation
import Junction
import JunctionNet
import Logging
import Metrics

/// Takes webhook deliveries on the shared listener: each accepted POST or PUT
/// body becomes one message, and its sender hears back only once the
/// pipeline is done with it (see ``HTTPSourceConfig`` for the answers).
///
/// Pausing is real: while the route is full, new requests are held (their
/// connections read nothing more) and are taken in order on resume, or get
/// `503` with `Retry-After` once they waited `max_wait`.
///
/// ```yaml
/// sources:
///   hooks: { type: http, path: /hooks/in, secret: "${WEBHOOK_SECRET}" }
/// ```
public final class HTTPSource: Source, @unchecked Sendable {
    private let config: HTTPSourceConfig
    private let name: String
    private let logger: Logger
    private let authenticator: HTTPSourceAuthenticator
    private let queue: DispatchQueue
    private let answers: HTTPSourceAnswers
    private let refused: ThrottledLog

    private let lock = NSLock()
    /// Held while a batch is taken and emitted, so batches leave in the order
    /// they were taken (handlers run on several threads).
    private let emitLock = NSLock()
    // Under `lock`.
    private var output: (any SourceOutput)?
    private var stopped = false
    private var paused = false
    /// Requests held while paused, oldest first, with when they give up.
    private var waiting = FIFO<(message: Message, answer: PendingAnswer, deadline: UInt64)>()
    /// Messages taken and not yet emitted (one flush per burst).
    private var batch: [Message] = []
    private var flushScheduled = false
    /// Taken requests, oldest first, with when they stop waiting for their sinks.
    private var outstanding = FIFO<(answer: PendingAnswer, deadline: UInt64)>()
    private var sweeper: (any DispatchSourceTimer)?

    /// Mounts `config.path` on the shared listener; requests before `start`
    /// (or after `stop`) get `503`.
    public init(config: HTTPSourceConfig, context: ComponentContext, listener: HTTPListener) throws {
        self.config = config
        self.name = context.name
        self.logger = context.logger
        self.authenticator = try HTTPSourceAuthenticator(config: config)
        self.queue = DispatchQueue(label: "junction.http.\(context.name)")
        self.answers = HTTPSourceAnswers(component: context.name, retryAfter: config.retryAfter)
        self.refused = ThrottledLog(logger: context.logger, message: "request refused")
        listener.captureHeaders(config.headers)
        listener.mount(config.path, maxBody: config.maxBody.bytes) { [weak self] request, responder in
            guard let self else {
                responder.respond(status: 503, headers: [], body: [])
                return
            }
            self.handle(request, responder)
        }
    }

    public func start(_ output: any SourceOutput) throws {
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + .milliseconds(100), repeating: .milliseconds(100), leeway: .milliseconds(20))
        timer.setEventHandler { [weak self] in self?.sweep() }
        lock.withLock {
            self.output = output
            self.sweeper = timer
        }
        timer.resume()
    }

    public func pause() { lock.withLock { paused = true } }

    public func resume() {
        let resumed: Bool = lock.withLock {
            paused = false
            guard !waiting.isEmpty else { return false }
            let now = DispatchTime.now().uptimeNanoseconds
            while let w = waiting.popFirst() {
                take(w.message, w.answer, now: now)
            }
            return true
        }
        if resumed { scheduleFlush() }
    }

    public func stop() {
        let (held, timer, out): ([Message], (any DispatchSourceTimer)?, (any SourceOutput)?) = lock.withLock {
            stopped = true
            var held: [Message] = []
            while let w = waiting.popFirst() { held.append(w.message) }
            defer { sweeper = nil; output = nil }
            return (held, sweeper, output)
        }
        timer?.cancel()
        // Their receipts answer 503 as the messages go.
        held.failReceipts("the source stopped")
        queue.async { out?.finish() }
    }

    /// Requests taken and not yet answered, as the sweeper last left them (tests).
    var outstandingCount: Int { lock.withLock { outstanding.count } }

    // MARK: Requests

    private func handle(_ request: HTTPRequest, _ responder: HTTPResponder) {
        guard config.methods.contains(request.method) else {
            answers.refuse(responder, 405, "method \(request.method) not allowed; use \(config.methods.joined(separator: " or "))",
                           headers: [("Allow", config.methods.joined(separator: ", "))])
            refused.note(["problem": "method not allowed", "method": "\(request.method)", "path": "\(request.path)"])
            return
        }
        if let problem = authenticator.check(request) {
            answers.refuse(responder, 401, problem, headers: authenticator.challenge)
            refused.note(["problem": "\(problem)", "method": "\(request.method)", "path": "\(request.path)"])
            return
        }
        let answer = PendingAnswer(responder)
        var message = Self.message(from: request, dropping: authenticator.credentialHeader)
        let answers = self.answers
        message.receipt = Receipt { outcome in answers.settle(answer, outcome) }

        enum Next { case flush, held, refused(String) }
        let next: Next = lock.withLock {
            guard output != nil, !stopped else { return .refused("the source is not running") }
            let now = DispatchTime.now().uptimeNanoseconds
            if paused {
                if config.maxWait.value == 0 { return .refused("the route is full") }
                waiting.append((message, answer, now &+ config.maxWait.nanoseconds))
                return .held
            }
            take(message, answer, now: now)
            return .flush
        }
        switch next {
        case .flush: flush()
        case .held: break
        case .refused(let why): message.receipt?.fail(why)
        }
    }

    /// Queues a message for the next flush. Under `lock`.
    private func take(_ message: Message, _ answer: PendingAnswer, now: UInt64) {
        batch.append(message)
        outstanding.append((answer, now &+ config.ackTimeout.nanoseconds))
    }

    private func scheduleFlush() {
        let go: Bool = lock.withLock {
            guard !flushScheduled else { return false }
            flushScheduled = true
            return true
        }
        if go { queue.async { self.flush() } }
    }

    private func flush() {
        // `lock` is free while emitting: a full route pauses this source from inside `emit`.
        emitLock.withLock {
            let (messages, out): ([Message], (any SourceOutput)?) = lock.withLock {
                flushScheduled = false
                defer { batch = [] }
                return (batch, output)
            }
            guard !messages.isEmpty else { return }
            if let out { out.emit(messages) } else { messages.failReceipts("the source stopped") }
        }
    }

    /// Gives up on requests that waited too long, for the route or for their sinks.
    private func sweep() {
        let now = DispatchTime.now().uptimeNanoseconds
        let (full, late): ([Message], [PendingAnswer]) = lock.withLock {
            var full: [Message] = []
            while let w = waiting.first, w.deadline <= now {
                _ = waiting.popFirst()
                full.append(w.message)
            }
            // One pass over what is outstanding: the late are answered, the answered
            // forgotten (a slow head must not keep thousands of answered requests behind it).
            var late: [PendingAnswer] = []
            var kept = FIFO<(answer: PendingAnswer, deadline: UInt64)>()
            while let o = outstanding.popFirst() {
                if o.answer.isAnswered { continue }
                if o.deadline <= now { late.append(o.answer) } else { kept.append(o) }
            }
            outstanding = kept
            return (full, late)
        }
        // Never taken: their receipts answer 503 as the messages go.
        full.failReceipts("the route is full; retry later")
        for answer in late { answers.unavailable(answer, "timed out waiting for the sinks; the message may still be delivered") }
    }

    // MARK: Messages

    /// The request as a message: body, kind from the content type, headers in
    /// metadata except `dropping` (the credential this source checked).
    static func message(from request: HTTPRequest, dropping: String? = nil) -> Message {
        var metadata: [String: String] = [:]
        metadata.reserveCapacity(request.headers.count + 3)
        for field in request.headers {
            // The server hands names over lower-cased already; others are lowered here.
            let name = field.name.utf8.contains(where: { (0x41...0x5A).contains($0) }) ? field.name.lowercased() : field.name
            if name == dropping { continue }
            let key = "header." + name
            if let earlier = metadata[key] { metadata[key] = earlier + ", " + field.value } else { metadata[key] = field.value }
        }
        metadata["http_method"] = request.method
        metadata["http_path"] = request.path
        let contentType = request.header("content-type")
        if let contentType { metadata["content_type"] = contentType }
        let kind: Message.Kind = isText(contentType: contentType, body: request.body) ? .text : .binary
        return Message(payload: request.body, kind: kind, metadata: metadata)
    }

    /// Text for `text/*`, JSON, XML and form bodies, and for untyped bodies that are valid UTF-8.
    static func isText(contentType: String?, body: [UInt8]) -> Bool {
        guard let contentType else { return String(validating: body, as: UTF8.self) != nil }
        // The media type: up to ';', without surrounding blanks, lower-cased ASCII.
        var type: [UInt8] = []
        type.reserveCapacity(32)
        for byte in contentType.utf8 {
            if byte == UInt8(ascii: ";") { break }
            if byte == 0x20 || byte == 0x09 { continue }
            type.append((0x41...0x5A).contains(byte) ? byte | 0x20 : byte)
        }
        func has(prefix: String) -> Bool { type.starts(with: prefix.utf8) }
        func has(suffix: String) -> Bool { type.reversed().starts(with: suffix.utf8.reversed()) }
        return has(prefix: "text/") || has(suffix: "json") || has(suffix: "xml")
            || type.elementsEqual("application/x-www-form-urlencoded".utf8) || type.elementsEqual("application/javascript".utf8)
    }
}
