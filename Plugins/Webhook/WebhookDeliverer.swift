import Dispatch
import Foundation
import Junction
import JunctionNet
import JunctionStore
import Logging
import Metrics

/// Delivers one webhook sink's messages from the outbox: up to `concurrency`
/// requests in flight, retries on the policy's schedule, dead letters.
///
/// Everything runs on one serial queue of this target's own, outbox calls
/// included (SQLite on local disk, taking microseconds to a commit); HTTP runs
/// on the shared curl thread and its completions hop back here. Outcomes are
/// written back in groups, one transaction every few milliseconds.
///
/// At most `memory_window` undelivered messages are held in memory; past that
/// they stay on disk and are read back in id order as the window empties. Rows
/// another process puts back into the outbox (`junction webhooks dlq replay`)
/// are picked up within a second: the outbox counts replays, and a new count
/// makes the deliverer scan its rows again from the start, skipping the ones
/// it holds.
final class WebhookDeliverer: @unchecked Sendable {
    private let target: String
    private let config: WebhookSinkConfig
    private let outbox: Outbox
    private let client: HTTPClient
    private let signer: StandardWebhookSecret?
    private let logger: Logger
    private let queue: DispatchQueue
    private let metrics: WebhookMetrics
    private let deadLog: ThrottledLog
    private let configHeaders: [(String, String)]
    private let configHeaderNames: Set<String>

    // Queue-confined.
    private var ready = FIFO<WebhookDelivery>()
    private var retries = RetryHeap()
    private var inFlight = 0
    /// Ids of the deliveries in memory: ready, waiting for a retry, or in flight.
    private var inMemoryIDs = Set<Int64>()
    private var inMemory: Int { inMemoryIDs.count }
    /// Rows up to this id have been looked at; rows above it may be on disk only.
    private var scanCursor: Int64 = 0
    /// Whether rows of this target may wait on disk past `scanCursor`.
    private var onDisk = false
    /// The outbox's replay count when it was last read.
    private var replayGeneration: Int64 = 0
    /// Taken and not yet delivered or dead, in memory or on disk.
    private var pending = 0
    private var outcomes: [Outbox.Outcome] = []
    private var idGenerator = WebhookID.Generator()
    private var flushScheduled = false
    private var retryTimer: (any DispatchSourceTimer)?
    private var retryTimerDue: Int64?
    private var pollTimer: (any DispatchSourceTimer)?
    /// A write that waits for `pending` to fall below `max_pending`.
    private var waitingWrite: (() -> Void)?
    private var closing: (@Sendable () -> Void)?
    private var closed = false

    init(target: String, config: WebhookSinkConfig, outbox: Outbox, logger: Logger) throws {
        self.target = target
        self.config = config
        self.outbox = outbox
        self.logger = logger
        self.queue = DispatchQueue(label: "junction.webhook.\(target)")
        self.metrics = WebhookMetrics(component: target)
        self.deadLog = ThrottledLog(logger: logger, message: "webhook messages dead-lettered")
        self.signer = try config.secret.map { try StandardWebhookSecret($0) }
        self.configHeaders = config.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        self.configHeaderNames = Set(config.headers.keys.map { $0.lowercased() })
        var clientConfig = HTTPClientConfig()
        clientConfig.maxConnectionsPerHost = config.concurrency
        clientConfig.requestTimeout = config.timeout.value
        clientConfig.connectTimeout = min(5, config.timeout.value)
        clientConfig.userAgent = "junction-webhook"
        clientConfig.cookies = false
        self.client = try HTTPClient(config: clientConfig, logger: logger)
    }

    /// Reads what an earlier run left in the outbox and starts delivering it.
    func start() throws {
        try queue.sync {
            pending = try outbox.pendingCount(target: target)
            replayGeneration = try outbox.replayGeneration()
            onDisk = pending > 0
            try load()
            metrics.pending.record(pending)
            if pending > 0 { logger.info("resuming undelivered webhook messages", metadata: ["count": "\(pending)"]) }
        }
        let poll = DispatchSource.makeTimerSource(queue: queue)
        poll.schedule(deadline: .now() + 1, repeating: 1, leeway: .milliseconds(100))
        poll.setEventHandler { [weak self] in self?.pollForReplays() }
        queue.sync { pollTimer = poll }
        poll.resume()
        queue.async { self.pump() }
    }

    /// Messages taken and not yet delivered or dead (the `junction_webhook_pending` gauge).
    var pendingCount: Int { queue.sync { pending } }

    // MARK: Taking messages

    /// Commits `batch` to the outbox (one transaction), then calls
    /// `completion` with how many could not be taken (all or none).
    func take(_ batch: [Message], completion: @escaping @Sendable (Int) -> Void) {
        queue.async { self.append(batch, completion) }
    }

    private func append(_ batch: [Message], _ completion: @escaping @Sendable (Int) -> Void) {
        guard pending < config.maxPending else {
            // Full: the batch stays counted on the edge until deliveries make room.
            waitingWrite = { [unowned self] in append(batch, completion) }
            return
        }
        let now = Self.nowMillis()
        let envelopes = batch.map { WebhookEnvelope(message: $0, forward: config.forwardHeaders) }
        let entries = zip(batch, envelopes).map { message, envelope in
            Outbox.Entry(
                target: target, messageID: WebhookID.random(using: &idGenerator).rawValue,
                payload: message.payload, meta: envelope.encoded,
                createdAt: message.timestamp == 0 ? now : Int64(message.timestamp / 1_000_000))
        }
        let ids: [Int64]
        do {
            ids = try outbox.append(entries, now: now)
        } catch {
            logger.error("could not commit webhook messages to the outbox", metadata: ["error": "\(error)", "count": "\(batch.count)"])
            metrics.outboxErrors.increment()
            completion(batch.count)
            return
        }
        completion(0)
        pending += ids.count
        metrics.pending.record(pending)
        if !onDisk, inMemory + ids.count <= config.memoryWindow {
            let firstWait = config.retry.delay(afterAttempt: 0, retryAfter: nil) ?? 0
            for i in ids.indices {
                let id = ids[i]
                let delivery = WebhookDelivery(id: id, entry: entries[i], envelope: envelopes[i])
                if firstWait > 0 { retries.push(delivery, due: now + Int64(firstWait * 1000)) } else { ready.append(delivery) }
                inMemoryIDs.insert(id)
            }
            scanCursor = max(scanCursor, ids.last ?? 0)
            armRetryTimer()
        } else {
            onDisk = true
        }
        pump()
    }

    /// Brings rows from disk into the window, oldest first, skipping those
    /// already in memory.
    private func load() throws {
        guard onDisk else { return }
        // Rows done but not yet written back would look undelivered.
        flushOutcomes()
        let now = Self.nowMillis()
        while onDisk, inMemory < config.memoryWindow {
            let limit = config.memoryWindow - inMemory
            let rows = try outbox.pending(target: target, after: scanCursor, limit: limit)
            for row in rows {
                scanCursor = max(scanCursor, row.id)
                guard inMemoryIDs.insert(row.id).inserted else { continue }
                let delivery = WebhookDelivery(record: row)
                if row.nextAttemptAt > now { retries.push(delivery, due: row.nextAttemptAt) } else { ready.append(delivery) }
            }
            if rows.count < limit {
                onDisk = false
                // Whatever a replay added meanwhile is counted now.
                pending = try outbox.pendingCount(target: target)
                metrics.pending.record(pending)
            }
        }
        armRetryTimer()
        // After the scan, not inside it: the write may append (and load) again.
        resumeWaitingWrite()
    }

    /// Picks up rows that another process put back (a dead-letter replay).
    private func pollForReplays() {
        guard closing == nil, !closed else { return }
        do {
            let generation = try outbox.replayGeneration()
            guard generation != replayGeneration else { return }
            replayGeneration = generation
            // The replayed rows have new ids, possibly below `scanCursor`: look at every row again.
            scanCursor = 0
            onDisk = true
            try load()
            logger.info("replayed webhook messages picked up", metadata: ["pending": "\(pending)"])
            pump()
        } catch {
            logger.warning("could not read the outbox", metadata: ["error": "\(error)"])
        }
    }

    // MARK: Sending

    private func pump() {
        guard !closed else { return }
        while inFlight < config.concurrency, let delivery = ready.popFirst() {
            inFlight += 1
            send(delivery)
        }
        if onDisk, inMemory <= config.memoryWindow / 2 {
            do { try load() } catch { logger.warning("could not read the outbox", metadata: ["error": "\(error)"]) }
            if !ready.isEmpty, inFlight < config.concurrency { pump() }
        }
        checkClosed()
    }

    private func send(_ delivery: WebhookDelivery) {
        let timestamp = Self.nowMillis() / 1000
        // `headers:` from the config win over what the message brought (its Content-Type, say).
        var headers: [(String, String)] = []
        headers.reserveCapacity(delivery.headers.count + configHeaders.count + 3)
        for h in delivery.headers where configHeaderNames.isEmpty || !configHeaderNames.contains(h.name.lowercased()) {
            headers.append((h.name, h.value))
        }
        headers += configHeaders
        headers.append((StandardWebhooks.idHeader, delivery.messageID))
        headers.append((StandardWebhooks.timestampHeader, String(timestamp)))
        if let signer {
            do {
                headers.append((StandardWebhooks.signatureHeader, try signer.sign(id: delivery.messageID, timestamp: timestamp, body: delivery.payload)))
            } catch {
                finished(delivery, .failure(.transfer("signing failed: \(error)")))
                return
            }
        }
        let request = HTTPClientRequest(method: config.method, url: config.url, headers: headers, body: delivery.payload, timeout: config.timeout.value)
        client.send(request, on: queue) { [weak self] result in
            self?.finished(delivery, result)
        }
    }

    private func finished(_ delivery: WebhookDelivery, _ result: Result<HTTPClientResponse, HTTPClientError>) {
        inFlight -= 1
        guard !closed else { return }  // the row stays in the outbox for the next run
        var delivery = delivery
        delivery.attempts += 1
        let now = Self.nowMillis()
        switch WebhookResponseClass(result) {
        case .delivered:
            outcomes.append(.delivered(id: delivery.id))
            done(delivery)
            metrics.delivered.increment()
        case .retry:
            if case .failure(.shutdown) = result {
                // Junction is stopping: the row stays as it is for the next run.
                done(delivery)
                break
            }
            let error = Self.describe(result)
            let retryAfter = (try? result.get())?.header("retry-after").flatMap { HTTPRetryAfter.seconds($0) }
            if let wait = config.retry.delay(afterAttempt: delivery.attempts, retryAfter: retryAfter) {
                let due = now + Int64(wait * 1000)
                delivery.lastError = error
                outcomes.append(.retry(id: delivery.id, attempts: delivery.attempts, nextAttemptAt: due, error: error))
                retries.push(delivery, due: due)
                metrics.retried.increment()
                armRetryTimer()
            } else {
                deadLetter(delivery, "gave up after \(delivery.attempts) attempts: \(error)", now: now)
            }
        case .dead:
            deadLetter(delivery, Self.describe(result), now: now)
        }
        scheduleFlush()
        pump()
    }

    private func deadLetter(_ delivery: WebhookDelivery, _ error: String, now: Int64) {
        outcomes.append(.dead(id: delivery.id, attempts: delivery.attempts, error: error, at: now))
        done(delivery)
        metrics.dead.increment()
        deadLog.note(["last_webhook_id": "\(delivery.messageID)", "last_error": "\(error)"])
    }

    /// The delivery left memory for good (delivered, dead, or left for the next run).
    private func done(_ delivery: WebhookDelivery) {
        inMemoryIDs.remove(delivery.id)
        pending = max(0, pending - 1)
        metrics.pending.record(pending)
        resumeWaitingWrite()
    }

    /// Lets a write that waited for `max_pending` go on, once there is room.
    private func resumeWaitingWrite() {
        guard let write = waitingWrite, pending < config.maxPending else { return }
        waitingWrite = nil
        write()
    }

    static func describe(_ result: Result<HTTPClientResponse, HTTPClientError>) -> String {
        switch result {
        case .success(let response):
            let excerpt = String(decoding: response.body.prefix(200), as: UTF8.self)
            return excerpt.isEmpty ? "HTTP \(response.status)" : "HTTP \(response.status): \(excerpt)"
        case .failure(let error):
            return "\(error)"
        }
    }

    // MARK: Timers and outcomes

    private func armRetryTimer() {
        guard let due = retries.nextDue else { return }
        if let current = retryTimerDue, current <= due { return }
        retryTimerDue = due
        let timer = retryTimer ?? {
            let t = DispatchSource.makeTimerSource(queue: queue)
            t.setEventHandler { [weak self] in self?.retryDue() }
            t.resume()
            retryTimer = t
            return t
        }()
        let wait = max(0, due - Self.nowMillis())
        timer.schedule(deadline: .now() + .milliseconds(Int(min(wait, Int64(Int32.max)))), leeway: .milliseconds(10))
    }

    private func retryDue() {
        retryTimerDue = nil
        let now = Self.nowMillis()
        while let delivery = retries.popDue(now: now) { ready.append(delivery) }
        armRetryTimer()
        pump()
    }

    private func scheduleFlush() {
        if outcomes.count >= 512 {
            flushOutcomes()
            return
        }
        guard !flushScheduled else { return }
        flushScheduled = true
        queue.asyncAfter(deadline: .now() + .milliseconds(2)) { [weak self] in
            guard let self else { return }
            self.flushScheduled = false
            self.flushOutcomes()
        }
    }

    private func flushOutcomes() {
        guard !outcomes.isEmpty else { return }
        let batch = outcomes
        outcomes = []
        do {
            try outbox.settle(batch)
        } catch {
            // The rows stay as they were: delivered ones may go again after a restart.
            metrics.outboxErrors.increment()
            logger.error("could not record webhook outcomes", metadata: ["error": "\(error)", "count": "\(batch.count)"])
        }
    }

    // MARK: Closing

    /// Sends what is ready (for up to `timeout`), records every outcome, then
    /// calls `completion`. Messages still waiting stay in the outbox.
    func close(completion: @escaping @Sendable () -> Void) {
        queue.async { [self] in
            closing = completion
            queue.asyncAfter(deadline: .now() + config.timeout.value + 0.1) { [weak self] in self?.finishClose(force: true) }
            checkClosed()
        }
    }

    private func checkClosed() {
        guard closing != nil, inFlight == 0, ready.isEmpty else { return }
        finishClose(force: false)
    }

    private func finishClose(force: Bool) {
        guard let completion = closing else { return }
        if force, inFlight > 0 {
            logger.warning("closing with webhook requests in flight; they stay in the outbox", metadata: ["in_flight": "\(inFlight)"])
        }
        closing = nil
        closed = true
        flushOutcomes()
        pollTimer?.cancel()
        retryTimer?.cancel()
        pollTimer = nil
        retryTimer = nil
        client.shutdown()
        completion()
    }

    static func nowMillis() -> Int64 { Int64(Message.now() / 1_000_000) }
}
