import Junction

/// Limits of the hosted XRTC server; defaults from the XRTC API documentation.
public struct XRTCLimits: ComponentConfig {
    public var portalIDLength = 16
    public var itemsPerSet = 10
    public var payloadBytesPerRequest = 1024
    public var ringSize = 10
    public var activePortalsPerKey = 10
    public var apiKeysPerAccount = 10
    public var activePortalWindow: Seconds = 60
    public var sessionIdle: Seconds = 60
    public var loginsPerWindow = 10
    public var loginWindow: Seconds = 10
    public var watchTimeout: Seconds = 5
    public var streamDuration: Seconds = 5
    public var maxBody: ByteSize = ByteSize(64 << 10)
    public var maxResponse: ByteSize = ByteSize(64 << 10)

    public init() {}

    public static let fields: [ConfigField<XRTCLimits>] = [
        .field("portal_id_length", \.portalIDLength, "Longest portal id, in characters."),
        .field("items_per_set", \.itemsPerSet, "Items of one item/set that are used; the rest are ignored."),
        .field("payload_bytes_per_request", \.payloadBytesPerRequest, "Sum of the UTF-8 payload bytes of the items used by one item/set (errorcode 20 above it)."),
        .field("ring_size", \.ringSize, "Newest items kept per portal."),
        .field("active_portals_per_key", \.activePortalsPerKey, "Portals one API key may have active at once (errorcode 30 above it)."),
        .field("api_keys_per_account", \.apiKeysPerAccount, "API keys one account may have."),
        .field("active_portal_window", \.activePortalWindow, "A portal is active for a key this long after the key set or got it."),
        .field("session_idle", \.sessionIdle, "A login session unused this long is gone (errorcode 10011)."),
        .field("logins_per_window", \.loginsPerWindow, "Logins allowed per API key per login_window (errorcode 45 above it)."),
        .field("login_window", \.loginWindow, "The sliding window of logins_per_window."),
        .field("watch_timeout", \.watchTimeout, "How long mode watch waits for a first new item."),
        .field("stream_duration", \.streamDuration, "How long a mode stream response stays open."),
        .field("max_body", \.maxBody, "Largest request body (413, errorcode 20 above it)."),
        .field("max_response", \.maxResponse, "Largest item/get response line; further items wait for the next get."),
    ]

    public func validate() throws {
        for (key, value) in [("portal_id_length", portalIDLength), ("items_per_set", itemsPerSet), ("payload_bytes_per_request", payloadBytesPerRequest),
                             ("ring_size", ringSize), ("active_portals_per_key", activePortalsPerKey), ("api_keys_per_account", apiKeysPerAccount),
                             ("logins_per_window", loginsPerWindow)] where value < 1 {
            throw ConfigDiagnostic.field(key, "\(key) must be at least 1")
        }
    }
}

/// One account of the hosted XRTC server.
public struct XRTCAccountConfig: ComponentConfig {
    public var id = ""
    public var apiKeys: [String] = []

    public init() {}

    public static let fields: [ConfigField<XRTCAccountConfig>] = [
        .field("id", \.id, "The account id clients log in with (ACCOUNT_ID).", required: true),
        .field("api_keys", \.apiKeys, "API keys of the account (API_KEY); every key can set and get every portal of the account.", required: true),
    ]

    public func validate() throws {
        if id.isEmpty { throw ConfigDiagnostic.field("id", "account id must not be empty") }
        if apiKeys.isEmpty || apiKeys.contains(where: \.isEmpty) { throw ConfigDiagnostic.field("api_keys", "api_keys must list at least one non-empty key") }
        if Set(apiKeys).count != apiKeys.count { throw ConfigDiagnostic.field("api_keys", "api_keys has a duplicate") }
    }
}

/// The `xrtc:` section: accounts and limits of the embedded XRTC server.
///
/// ```yaml
/// xrtc:
///   accounts:
///     - id: AC0987654321012345
///       api_keys: ["${XRTC_API_KEY}"]
///   limits: { ring_size: 10 }
/// ```
public struct XRTCSectionConfig: ComponentConfig {
    public var accounts: [XRTCAccountConfig] = []
    public var limits = XRTCLimits()
    public var path = "/v1"

    public init() {}

    public static let fields: [ConfigField<XRTCSectionConfig>] = [
        .field("accounts", \.accounts, "Accounts with their API keys.", required: true),
        .field("limits", \.limits, "Limits; defaults from the XRTC API documentation."),
        .field("path", \.path, "Where the API is mounted: PATH/auth/login, PATH/item/set, PATH/item/get."),
    ]

    public func validate() throws {
        if accounts.isEmpty { throw ConfigDiagnostic.field("accounts", "declare at least one account") }
        for a in accounts where a.apiKeys.count > limits.apiKeysPerAccount {
            throw ConfigDiagnostic.field("accounts", "account '\(a.id)' has \(a.apiKeys.count) API keys; the limit is \(limits.apiKeysPerAccount)")
        }
        let ids = accounts.map(\.id)
        if Set(ids).count != ids.count { throw ConfigDiagnostic.field("accounts", "two accounts have the same id") }
        let keys = accounts.flatMap(\.apiKeys)
        if Set(keys).count != keys.count { throw ConfigDiagnostic.field("accounts", "an API key belongs to two accounts") }
        if !path.hasPrefix("/") { throw ConfigDiagnostic.field("path", "path must start with '/'") }
    }
}
