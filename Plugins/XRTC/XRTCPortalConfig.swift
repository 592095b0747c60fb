import Junction

/// Config of the `xrtc` source and sink on a hosted portal of the embedded server.
public struct XRTCPortalConfig: ComponentConfig, LoopbackResource {
    public var portal = ""
    public var account: String?

    public init() {}

    public static let fields: [ConfigField<XRTCPortalConfig>] = [
        .field("portal", \.portal, "The portal id (at most 16 characters).", required: true),
        .field("account", \.account, "The account owning the portal; needed only when the xrtc section declares several."),
    ]

    public func validate() throws {
        if portal.isEmpty || portal.count > 16 { throw ConfigDiagnostic.field("portal", "portal must be 1 to 16 characters") }
    }

    public var loopbackKey: String? { "xrtc:\(account ?? ""):\(portal)" }

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
