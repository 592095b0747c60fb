import Junction
import JunctionNet
import Logging

/// Registers the `rtc:` section (WebRTC signaling on the shared listener)
/// and the `datachannel` source and sink.
public enum DataChannelPlugin {
    public static func register(into registry: inout PluginRegistry) {
        registry.registerSection(
            "rtc", config: RTCSectionConfig.self,
            doc: "WebRTC data channels: POST <path>/offer answers SDP offers (ICE-lite, DTLS, SCTP)."
        ) { config, services in
            _ = try hub(config, services)
        }
        registry.registerSource("datachannel", config: DataChannelConfig.self, doc: "Messages from WebRTC data channels with a label, from every session.") { config, context in
            try DataChannelSource(config: config, hub: hub(nil, context.services))
        }
        registry.registerSink("datachannel", config: DataChannelConfig.self, doc: "Messages sent on WebRTC data channels with a label: back to the session in the metadata, or to all.") { config, context in
            try DataChannelSink(config: config, hub: hub(nil, context.services), context: context)
        }
    }

    /// The process's data-channel hub, for other signaling (RTM sessions):
    /// the `rtc:` section's, or one with the defaults. Call it once every
    /// section is loaded (when starting), so the section's settings apply.
    ///
    /// ```swift
    /// let hub = try DataChannelPlugin.sharedHub(services: context.services)
    /// ```
    public static func sharedHub(services: ServiceRegistry) throws -> DataChannelHub {
        try hub(nil, services)
    }

    /// The one hub per process, with the signaling endpoint mounted; the
    /// `rtc:` section's settings when it is there, the defaults otherwise.
    private static func hub(_ config: RTCSectionConfig?, _ services: ServiceRegistry) throws -> DataChannelHub {
        // The registry's lock is not reentrant: the listener is fetched first.
        let listener = services.shared(HTTPListener.self) { HTTPListener(services: services) }
        return try services.shared(DataChannelHub.self) {
            let hub = try DataChannelHub(config: config ?? RTCSectionConfig(), logger: Logger(label: "junction.rtc"))
            RTCOfferEndpoint.mount(on: listener, hub: hub)
            return hub
        }
    }
}
