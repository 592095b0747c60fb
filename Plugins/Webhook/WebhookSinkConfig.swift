import Junction
import JunctionNet

/// `{type: webhook, url: …}`: delivers every message as an HTTP request,
/// at least once, through the durable outbox (see ``WebhooksSectionConfig``).
///
/// ```yaml
/// sinks:
///   ops:
///     type: webhook
///     url: https://ops.example/hook
///     secret: "${HOOK_SECRET}"          # Standard Webhooks signatures
///     headers: { X-Env: prod }
///     forward_headers: [x-github-event] # copied from the ingested request
///     concurrency: 16
///     retry: { schedule: [0s, 5s, 5m, 30m, 2h, 5h, 10h, 10h], jitter: 0.2 }
/// ```
///
/// A message is taken (its write completes, and an HTTP source answers
/// `202`) once it is committed to the outbox; delivery goes on from there.
/// Each webhook sink is its own queue: a target that is down or slow
/// holds up nobody else. A `2xx` answer is a delivery; `408`, `409`, `425`,
/// `429`, `5xx`, redirects, timeouts and connection failures are retried on
/// `retry.schedule` (honouring `Retry-After`); any other `4xx` sends the
/// message to the dead letters at once, as does the end of the schedule.
public struct WebhookSinkConfig: ComponentConfig {
    /// Where to send (http or https).
    public var url = ""
    /// The request method.
    public var method = "POST"
    /// Extra request headers, sent with every delivery.
    public var headers: [String: String] = [:]
    /// Request headers of an ingested message (its `header.<name>` metadata)
    /// to pass on, by name.
    public var forwardHeaders: [String] = []
    /// Seconds an attempt may take; a slower answer counts as a failure and is retried.
    public var timeout = Seconds(15)
    /// Requests in flight to this target at once.
    public var concurrency = 16
    /// A Standard Webhooks secret (`whsec_…`): every request is signed
    /// (`webhook-id`, `webhook-timestamp`, `webhook-signature`).
    public var secret: String?
    /// When to try again and when to give up.
    public var retry = WebhookRetryPolicy()
    /// Messages taken and not yet delivered (or dead) above which writes
    /// wait, so the route's backpressure takes over.
    public var maxPending = 1_000_000
    /// Undelivered messages kept in memory; the rest wait on disk.
    public var memoryWindow = 8192

    public init() {}

    public static let fields: [ConfigField<WebhookSinkConfig>] = [
        .field("url", \.url, "Target URL (http:// or https://).", required: true),
        .field("method", \.method, "HTTP method of each delivery."),
        .field("headers", \.headers, "Headers added to every delivery."),
        .field("forward_headers", \.forwardHeaders, "Headers of the ingested request (metadata header.<name>) to pass on."),
        .field("timeout", \.timeout, "How long an attempt may take before it counts as failed."),
        .field("concurrency", \.concurrency, "Requests in flight to this target at once."),
        .field("secret", \.secret, "Standard Webhooks secret (whsec_…) to sign every delivery with."),
        .field("retry", \.retry, "Retry schedule (waits before each attempt), jitter and the cap on Retry-After."),
        .field("max_pending", \.maxPending, "Undelivered messages above which writes wait (backpressure)."),
        .field("memory_window", \.memoryWindow, "Undelivered messages held in memory; the rest are read back from the outbox."),
    ]

    /// Why a header is Junction's to write (framing, or the signature headers), or nil.
    static func reserved(_ name: String) -> String? {
        switch name.lowercased() {
        case "content-length", "transfer-encoding", "connection", "host", "expect", "te", "upgrade":
            return "it belongs to the HTTP framing"
        case "webhook-id", "webhook-timestamp", "webhook-signature":
            return "Junction sets it on every delivery"
        default:
            return nil
        }
    }

    public func validate() throws {
        let lower = url.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else {
            throw ConfigDiagnostic.field("url", "url must start with http:// or https://")
        }
        guard HTTPToken.isValid(method), method == method.uppercased() else {
            throw ConfigDiagnostic.field("method", "'\(method)' is not an upper-case HTTP method")
        }
        for (name, value) in headers {
            guard HTTPToken.isValid(name) else { throw ConfigDiagnostic.field("headers", "'\(name)' is not a header name") }
            guard !value.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D || $0 == 0 }) else {
                throw ConfigDiagnostic.field("headers", "the value of '\(name)' has a line break or NUL")
            }
            if let why = Self.reserved(name) { throw ConfigDiagnostic.field("headers", "'\(name)' cannot be set: \(why)") }
        }
        for name in forwardHeaders {
            guard HTTPToken.isValid(name) else { throw ConfigDiagnostic.field("forward_headers", "'\(name)' is not a header name") }
            if let why = Self.reserved(name) { throw ConfigDiagnostic.field("forward_headers", "'\(name)' cannot be forwarded: \(why)") }
        }
        guard timeout.value > 0 else { throw ConfigDiagnostic.field("timeout", "timeout must be positive") }
        guard (1...1024).contains(concurrency) else { throw ConfigDiagnostic.field("concurrency", "concurrency must be between 1 and 1024") }
        if let secret {
            do { _ = try StandardWebhookSecret(secret) } catch { throw ConfigDiagnostic.field("secret", "\(error)") }
        }
        guard maxPending >= 1 else { throw ConfigDiagnostic.field("max_pending", "max_pending must be at least 1") }
        guard memoryWindow >= 1 else { throw ConfigDiagnostic.field("memory_window", "memory_window must be at least 1") }
    }
}
