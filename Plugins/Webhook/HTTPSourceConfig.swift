import Junction
import JunctionNet

/// `{type: http, path: /hooks/in}`: an HTTP ingest endpoint on the shared listener.
///
/// ```yaml
/// sources:
///   hooks:  { type: http, path: /hooks/in }
///   github: { type: http, path: /hooks/github, token: "${INGEST_TOKEN}", max_body: 5MiB }
///   signed: { type: http, path: /hooks/signed, secret: "${WEBHOOK_SECRET}" }   # Standard Webhooks
/// ```
///
/// Each POST or PUT body is one message; the request headers go to its
/// metadata as `header.<lower-case name>`, with `content_type`, `http_method`
/// and `http_path`. The answer waits until the pipeline is done with the
/// message: `202` once every sink took it (a durable sink takes it when it
/// is committed to disk), `422` when a stage rejected it, `503` with
/// `Retry-After` when it could not be taken.
public struct HTTPSourceConfig: ComponentConfig {
    /// The path this source answers on (exactly; not the paths below it).
    public var path = ""
    /// Methods that deliver a message; others get `405`.
    public var methods = ["POST", "PUT"]
    /// Non-standard request headers to keep in metadata besides the usual
    /// ones (libwebsockets reads headers it does not know only by name):
    /// `x-github-event`, `stripe-signature`, …
    public var headers: [String] = []
    /// Largest body; bigger requests get `413` before their body is read.
    public var maxBody = ByteSize(1 << 20)
    /// A bearer token the sender must give (`Authorization: Bearer …`); `401` otherwise.
    public var token: String?
    /// A Standard Webhooks secret (`whsec_…`): the sender must sign every request; `401` otherwise.
    public var secret: String?
    /// How far a signed request's `webhook-timestamp` may be from now.
    public var tolerance = Seconds(300)
    /// While the route is full (`when_full: block`), how long a request waits
    /// to be taken before it gets `503` with `Retry-After`.
    public var maxWait = Seconds(5)
    /// How long a taken request waits for its sinks before it gets `503`
    /// (the message may still be delivered: senders retry, receivers dedupe).
    public var ackTimeout = Seconds(30)
    /// The `Retry-After` of a `503`, in whole seconds.
    public var retryAfter = 1

    public init() {}

    public static let fields: [ConfigField<HTTPSourceConfig>] = [
        .field("path", \.path, "Path on the shared listener that takes messages (exact match).", required: true),
        .field("methods", \.methods, "HTTP methods that deliver a message; others get 405."),
        .field("headers", \.headers, "Non-standard request headers to keep in metadata (header.<name>); standard ones, webhook-* and x-request-id always are."),
        .field("max_body", \.maxBody, "Largest request body; bigger ones get 413 before they are read."),
        .field("token", \.token, "Bearer token senders must present (Authorization: Bearer …); 401 otherwise."),
        .field("secret", \.secret, "Standard Webhooks secret (whsec_…): requests must carry a valid webhook-signature; 401 otherwise."),
        .field("tolerance", \.tolerance, "How far a signed request's webhook-timestamp may be from now."),
        .field("max_wait", \.maxWait, "While the route is full, how long a request waits before 503 with Retry-After."),
        .field("ack_timeout", \.ackTimeout, "How long a taken request waits for its sinks before 503."),
        .field("retry_after", \.retryAfter, "Retry-After seconds sent with 503."),
    ]

    public func validate() throws {
        guard path.hasPrefix("/") else { throw ConfigDiagnostic.field("path", "path must start with '/'") }
        guard !methods.isEmpty else { throw ConfigDiagnostic.field("methods", "methods must name at least one method") }
        for m in methods where !HTTPToken.isValid(m) || m != m.uppercased() {
            throw ConfigDiagnostic.field("methods", "'\(m)' is not an upper-case HTTP method")
        }
        for h in headers where !HTTPToken.isValid(h) {
            throw ConfigDiagnostic.field("headers", "'\(h)' is not a header name")
        }
        guard maxBody.bytes >= 1 else { throw ConfigDiagnostic.field("max_body", "max_body must be at least 1 byte") }
        if let token, token.isEmpty { throw ConfigDiagnostic.field("token", "token must not be empty") }
        if token != nil, secret != nil {
            throw ConfigDiagnostic.field("secret", "token and secret exclude each other: choose bearer tokens or signatures")
        }
        if let secret {
            do { _ = try StandardWebhookSecret(secret) } catch { throw ConfigDiagnostic.field("secret", "\(error)") }
        }
        guard tolerance.value > 0 else { throw ConfigDiagnostic.field("tolerance", "tolerance must be positive") }
        guard maxWait.value >= 0 else { throw ConfigDiagnostic.field("max_wait", "max_wait must not be negative") }
        guard ackTimeout.value > 0 else { throw ConfigDiagnostic.field("ack_timeout", "ack_timeout must be positive") }
        guard retryAfter >= 0 else { throw ConfigDiagnostic.field("retry_after", "retry_after must not be negative") }
    }
}
