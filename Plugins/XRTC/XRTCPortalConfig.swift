import Junction

/// How a remote `xrtc` source asks for items (the API's `mode`).
public enum XRTCClientMode: String, ConfigEnum {
    /// Ask every `poll_interval`; answered at once.
    case probe
    /// Long-poll: each get waits for the first new items.
    case watch
    /// Each get stays open and delivers a line per arrival.
    case stream
}

/// Which items of a portal's ring come first (the API's `schedule`).
public enum XRTCClientSchedule: String, ConfigEnum {
    case fifo = "FIFO"
    case lifo = "LIFO"
}

/// Config of the `xrtc` source and sink: a hosted portal of the embedded
/// server, or, with `url`, a portal on a remote XRTC server.
///
/// ```yaml
/// sources:
///   local:  { type: xrtc, portal: camera }
///   remote: { type: xrtc, url: "https://xrtc.example.com", portal: camera, mode: stream, cutoff: 500 }
/// ```
public struct XRTCPortalConfig: ComponentConfig, LoopbackResource {
    public var portal = ""
    public var account: String?
    public var url: String?
    public var accountID: String?
    public var apiKey: String?
    public var envFile: String?
    public var mode: XRTCClientMode = .stream
    public var schedule: XRTCClientSchedule = .fifo
    public var cutoff = -1
    public var pollInterval: Seconds = 1
    public var timeout: Seconds = 30
    public var maxBackoff: Seconds = 30
    public var itemsPerSet = 10
    public var payloadBytesPerSet = 1024

    public init() {}

    public static let fields: [ConfigField<XRTCPortalConfig>] = [
        .field("portal", \.portal, "The portal id (at most 16 characters).", required: true),
        .field("account", \.account, "Hosted: the account owning the portal; needed only when the xrtc section declares several."),
        .field("url", \.url, "Remote: base URL of an XRTC server (LOGIN_URL, SET_URL, GET_URL default to URL/v1/auth/login, …/item/set, …/item/get)."),
        .field("account_id", \.accountID, "Remote: the account id; default ACCOUNT_ID from env_file or the environment."),
        .field("api_key", \.apiKey, "Remote: the API key; default API_KEY from env_file or the environment."),
        .field("env_file", \.envFile, "Remote: a dotenv file with ACCOUNT_ID, API_KEY, LOGIN_URL, SET_URL, GET_URL (the xrtc SDK's names)."),
        .field("mode", \.mode, "Remote source: probe, watch or stream."),
        .field("schedule", \.schedule, "Remote source: FIFO (oldest first, keeps order) or LIFO."),
        .field("cutoff", \.cutoff, "Remote source: skip items older than this many ms (-1: no cutoff)."),
        .field("poll_interval", \.pollInterval, "Remote source in probe mode: time between gets."),
        .field("timeout", \.timeout, "Remote: timeout of login, set and probe requests."),
        .field("max_backoff", \.maxBackoff, "Remote: longest wait between retries after errors (it doubles from 0.5s)."),
        .field("items_per_set", \.itemsPerSet, "Remote sink: most items per item/set (the server's limit)."),
        .field("payload_bytes_per_set", \.payloadBytesPerSet, "Remote sink: most payload bytes per item/set; a longer single message is an error, never truncated."),
    ]

    public func validate() throws {
        if portal.isEmpty || portal.count > 16 { throw ConfigDiagnostic.field("portal", "portal must be 1 to 16 characters") }
        if let url, !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
            throw ConfigDiagnostic.field("url", "url must start with http:// or https://")
        }
        if cutoff < -1 { throw ConfigDiagnostic.field("cutoff", "cutoff must be -1 (none) or a number of milliseconds") }
        if pollInterval < 0.01 { throw ConfigDiagnostic.field("poll_interval", "poll_interval must be at least 10ms") }
        if timeout < 0.1 { throw ConfigDiagnostic.field("timeout", "timeout must be at least 100ms") }
        if maxBackoff < 0.5 { throw ConfigDiagnostic.field("max_backoff", "max_backoff must be at least 500ms") }
        if itemsPerSet < 1 { throw ConfigDiagnostic.field("items_per_set", "items_per_set must be at least 1") }
        if payloadBytesPerSet < 1 { throw ConfigDiagnostic.field("payload_bytes_per_set", "payload_bytes_per_set must be at least 1") }
    }

    /// A remote portal (`url` or `env_file` given) rather than a hosted one.
    public var isRemote: Bool { url != nil || envFile != nil }

    public var loopbackKey: String? { isRemote ? "xrtc:\(url ?? ""):\(portal)" : "xrtc:\(account ?? ""):\(portal)" }

    /// The hub of the `xrtc:` section and the account to use.
    func resolve(_ context: ComponentContext) throws -> (XRTCHub, String) {
        guard let hub = context.services.existing(XRTCHub.self) else {
            throw ConfigDiagnostic("a hosted xrtc portal needs the 'xrtc:' section with accounts")
        }
        if let account {
            guard hub.accountIDs.contains(account) else {
                throw ConfigDiagnostic.field("account", "unknown account '\(account)'", hint: ConfigDiagnostic.suggestion(for: account, among: hub.accountIDs))
            }
            return (hub, account)
        }
        guard hub.accountIDs.count == 1 else {
            throw ConfigDiagnostic("the xrtc section declares several accounts: name one with 'account:'", hint: "accounts: " + hub.accountIDs.joined(separator: ", "))
        }
        return (hub, hub.accountIDs[0])
    }
}
