import Dispatch
import JunctionNet
import Logging
import Metrics
import WebhookPlugin

/// POSTs RTM webhooks (`session_finished`, `upload_ready`, …) to the URLs
/// clients gave, and tries again after temporary failures (timeouts, lost
/// connections, 408, 429, 5xx) on the `rtm.webhook_retry` schedule, with the
/// endpoint's `Retry-After` honoured. Other 4xx answers end the attempts.
///
/// The attempts wait in memory: those still pending when Junction stops are
/// dropped and logged. For delivery that survives restarts, route
/// `rtm_events` to a `webhook` sink.
///
/// ```swift
/// let sender = RTMWebhookSender(client: client, policy: config.webhookRetry, logger: logger)
/// sender.post(.uploadReady(recordingID: id, clientID: client, recording: summary), to: url)
/// sender.stop()
/// ```
final class RTMWebhookSender: @unchecked Sendable {
    private let client: HTTPClient
    private let policy: WebhookRetryPolicy
    private let logger: Logger
    private let queue = DispatchQueue(label: "junction.rtm.webhooks")
    // Confined to `queue`.
    private var stopped = false
    private var waiting = 0

    private let retries = Counter(label: "junction_rtm_webhook_retries_total")
    private let failures = Counter(label: "junction_rtm_webhooks_failed_total")

    init(client: HTTPClient, policy: WebhookRetryPolicy, logger: Logger) {
        self.client = client
        self.policy = policy
        self.logger = logger
    }

    /// Sends `event` to `url` (already checked against `allowed_urls`).
    func post(_ event: RTMWebhookEvent, to url: String) {
        let request = HTTPClientRequest(method: "POST", url: url, headers: [("Content-Type", "application/json")], body: event.body, timeout: 10)
        queue.async { [self] in schedule(request, event: event.status, attempt: 1, retryAfter: nil) }
    }

    /// Ends retrying: attempts still waiting are dropped (and logged).
    func stop() {
        queue.sync {
            stopped = true
            if waiting > 0 {
                logger.warning("RTM webhooks dropped at shutdown while waiting to be tried again", metadata: ["count": "\(waiting)"])
                failures.increment(by: Int64(waiting))
            }
        }
    }

    /// Waits as the policy says before attempt `attempt` (1 is the first), then sends.
    private func schedule(_ request: HTTPClientRequest, event: String, attempt: Int, retryAfter: Double?) {
        guard let wait = policy.delay(afterAttempt: attempt - 1, retryAfter: retryAfter) else {
            failures.increment()
            logger.warning("RTM webhook not delivered; giving up", metadata: [
                "event": "\(event)", "url": "\(request.url)", "attempts": "\(attempt - 1)",
            ])
            return
        }
        guard wait > 0 else { return send(request, event: event, attempt: attempt) }
        waiting += 1
        queue.asyncAfter(deadline: .now() + wait) { [self] in
            guard !stopped else { return }
            waiting -= 1
            send(request, event: event, attempt: attempt)
        }
    }

    private func send(_ request: HTTPClientRequest, event: String, attempt: Int) {
        client.send(request, on: queue) { [self] result in
            switch WebhookResponseClass(result) {
            case .delivered:
                return
            case .dead:
                failures.increment()
                logger.warning("RTM webhook refused", metadata: ["event": "\(event)", "url": "\(request.url)", "outcome": "\(Self.outcome(result))"])
            case .retry:
                guard !stopped else { return }
                retries.increment()
                logger.info("RTM webhook failed; trying again", metadata: [
                    "event": "\(event)", "url": "\(request.url)", "attempt": "\(attempt)", "outcome": "\(Self.outcome(result))",
                ])
                let retryAfter = (try? result.get())?.header("retry-after").flatMap { HTTPRetryAfter.seconds($0) }
                schedule(request, event: event, attempt: attempt + 1, retryAfter: retryAfter)
            }
        }
    }

    private static func outcome(_ result: Result<HTTPClientResponse, HTTPClientError>) -> String {
        switch result {
        case .success(let response): return "status \(response.status)"
        case .failure(let error): return "\(error)"
        }
    }
}
