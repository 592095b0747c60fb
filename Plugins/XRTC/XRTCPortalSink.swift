import Junction

/// Each message becomes an item of a hosted portal, for XRTC clients to get.
/// The portal keeps its ring of newest items, as XRTC does.
///
/// ```yaml
/// sinks:
///   ptz: { type: xrtc, portal: ptz }
/// ```
public final class XRTCPortalSink: Sink {
    private let hub: XRTCHub
    private let account: String
    private let portal: String

    public init(config: XRTCPortalConfig, context: ComponentContext) throws {
        (hub, account) = try config.resolve(context)
        portal = config.portal
    }

    public func write(_ batch: [Message], completion: @escaping @Sendable () -> Void) {
        for m in batch { hub.publish(account: account, portal: portal, payload: m.text) }
        completion()
    }
}
