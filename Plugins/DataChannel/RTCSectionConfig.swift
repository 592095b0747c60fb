import Junction

/// The `rtc:` section: how Junction answers WebRTC offers on the shared
/// listener (`POST <path>/offer`).
///
/// ```yaml
/// listen: 0.0.0.0:8080
/// rtc:
///   addresses: [192.0.2.10]      # host candidates: one UDP socket each
///   max_sessions: 200
/// ```
public struct RTCSectionConfig: ComponentConfig {
    /// Local IP addresses to offer as host candidates; one UDP socket is bound
    /// on each (never the wildcard, so replies leave from the probed address).
    public var addresses: [String] = ["127.0.0.1"]
    /// Where the signaling endpoint is mounted: `POST <path>/offer`.
    public var path = "/rtc"
    /// Peer connections open at once; offers beyond it get 503.
    public var maxSessions = 256
    /// Largest message a channel accepts and sends (SDP `a=max-message-size`).
    public var maxMessageSize = ByteSize(262_144)
    /// A session that is not connected this long after its answer is closed.
    public var connectTimeout: Seconds = 30
    /// A connected session that hears no connectivity check (ICE consent,
    /// every ~5 s from browsers and aiortc) for this long has failed.
    public var consentTimeout: Seconds = 30

    public init() {}

    public static let fields: [ConfigField<RTCSectionConfig>] = [
        .field("addresses", \.addresses, "Numeric local IPs offered as host candidates, one UDP socket each."),
        .field("path", \.path, "Mount point of the signaling endpoint: POST <path>/offer."),
        .field("max_sessions", \.maxSessions, "Peer connections open at once; more offers get 503."),
        .field("max_message_size", \.maxMessageSize, "Largest data-channel message, advertised as a=max-message-size."),
        .field("connect_timeout", \.connectTimeout, "A session not connected this long after its answer is closed."),
        .field("consent_timeout", \.consentTimeout, "A session that hears no ICE check for this long has failed (disconnected after a third of it)."),
    ]

    public func validate() throws {
        guard !addresses.isEmpty else { throw ConfigDiagnostic.field("addresses", "addresses needs at least one IP") }
        for address in addresses where address.isEmpty || address == "0.0.0.0" || address == "::" {
            throw ConfigDiagnostic.field("addresses", "'\(address)' is not usable: list the machine's own IPs, never the wildcard")
        }
        guard maxSessions >= 1 else { throw ConfigDiagnostic.field("max_sessions", "max_sessions must be at least 1") }
        guard (1...(1 << 30)).contains(maxMessageSize.bytes) else {
            throw ConfigDiagnostic.field("max_message_size", "max_message_size must be between 1 byte and 1 GiB")
        }
        guard consentTimeout.value >= 1 else { throw ConfigDiagnostic.field("consent_timeout", "consent_timeout must be at least 1s") }
        guard path.hasPrefix("/") else { throw ConfigDiagnostic.field("path", "path must start with /") }
    }
}
