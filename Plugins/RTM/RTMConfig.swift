import Junction
import WebhookPlugin

/// The `rtm:` section: the RTM WebSocket endpoint on the shared listener.
///
/// ```yaml
/// rtm:
///   path: /rtm
///   allowed_urls: ["https://hooks.example.com/", "https://uploads.example.com/rec/"]
///   token: "${RTM_TOKEN}"
///   ping_timeout: 30s
///   max_supervisors: 3
///   recordings: /var/lib/junction/recordings
///   webhook_retry: { schedule: [0s, 5s, 30s, 2m, 10m, 30m], jitter: 0.2 }
/// ```
public struct RTMConfig: ComponentConfig {
    /// Where clients open the WebSocket.
    public var path = "/rtm"
    /// Prefixes that client-supplied `webhook_url` and `upload_url` must start with; empty refuses every URL.
    public var allowedURLs: [String] = []
    /// When set, a client must send `Authorization: Bearer <token>` on connect.
    public var token: String?
    /// A session whose client sent nothing (no `ping`, no other message) for this long ends with CONN_ERROR.
    public var pingTimeout = Seconds(30)
    /// Supervisors one session may have (MAX_SUPERVISORS_PER_AGENT above it).
    public var maxSupervisors = 3
    /// Directory for recording files until they are uploaded (relative to routes.yaml).
    public var recordings = "junction-recordings"
    /// Largest RTM message (an SDP offer with many candidates fits in the default).
    public var maxMessage = ByteSize(256 * 1024)
    /// When webhooks to client URLs are tried again (they wait in memory;
    /// `rtm_events` to a `webhook` sink is the durable route).
    public var webhookRetry = WebhookRetryPolicy(schedule: [0, 5, 30, 120, 600, 1800], jitter: 0.2, maxRetryAfter: 600)

    public init() {}

    public static let fields: [ConfigField<RTMConfig>] = [
        .field("path", \.path, "Path of the RTM WebSocket on the shared listener."),
        .field("allowed_urls", \.allowedURLs, "URL prefixes allowed for client-supplied webhook_url and upload_url; none by default."),
        .field("token", \.token, "Bearer token clients must present on connect (Authorization header)."),
        .field("ping_timeout", \.pingTimeout, "A session silent for this long (no ping, no message) ends with CONN_ERROR."),
        .field("max_supervisors", \.maxSupervisors, "Supervisors per session; one more is refused with MAX_SUPERVISORS_PER_AGENT."),
        .field("recordings", \.recordings, "Directory for recording files before upload (relative to routes.yaml)."),
        .field("max_message", \.maxMessage, "Largest RTM message accepted (the WebSocket closes with 1009 above it)."),
        .field("webhook_retry", \.webhookRetry, "Retry schedule, jitter and Retry-After cap for webhooks to client URLs (kept in memory)."),
    ]

    public func validate() throws {
        guard path.hasPrefix("/") else { throw ConfigDiagnostic.field("path", "path must start with '/'") }
        guard maxSupervisors >= 0 else { throw ConfigDiagnostic.field("max_supervisors", "max_supervisors must not be negative") }
        guard pingTimeout.value > 0 else { throw ConfigDiagnostic.field("ping_timeout", "ping_timeout must be more than 0s") }
        guard maxMessage.bytes >= 1024 else { throw ConfigDiagnostic.field("max_message", "max_message must be at least 1KiB") }
        for url in allowedURLs {
            let lower = url.lowercased()
            guard (lower.hasPrefix("http://") || lower.hasPrefix("https://")), url.count > lower.prefix(while: { $0 != ":" }).count + 3 else {
                throw ConfigDiagnostic.field("allowed_urls", "'\(url)' is not an http:// or https:// URL prefix with a host")
            }
        }
        if let token, token.isEmpty { throw ConfigDiagnostic.field("token", "token must not be empty (leave it out for no token)") }
    }

    /// The URL check these settings make.
    public var urlPolicy: RTMURLPolicy { RTMURLPolicy(prefixes: allowedURLs) }
}
