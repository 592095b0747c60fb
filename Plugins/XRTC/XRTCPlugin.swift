import Junction
import JunctionNet
import Logging

/// Registers the `xrtc:` section (the embedded XRTC server) and the `xrtc`
/// source and sink for hosted portals.
public enum XRTCPlugin {
    public static func register(into registry: inout PluginRegistry) {
        registry.registerSection("xrtc", config: XRTCSectionConfig.self, doc: "The embedded XRTC server: accounts, API keys and limits.") { config, services in
            let hub = services.shared(XRTCHub.self) { XRTCHub(config: config) }
            let listener = services.shared(HTTPListener.self) { HTTPListener(services: services) }
            XRTCServer(hub: hub, logger: Logger(label: "junction.xrtc")).mount(on: listener, path: config.path)
        }
        registry.registerSource("xrtc", config: XRTCPortalConfig.self, doc: "Items set on an XRTC portal: hosted by this process, or on a remote server with url.") { config, context in
            config.isRemote ? try XRTCRemoteSource(config: config, context: context) as any Source : try XRTCPortalSource(config: config, context: context)
        }
        registry.registerSink("xrtc", config: XRTCPortalConfig.self, doc: "Messages become items of an XRTC portal: hosted by this process, or on a remote server with url.") { config, context in
            config.isRemote ? try XRTCRemoteSink(config: config, context: context) as any Sink : try XRTCPortalSink(config: config, context: context)
        }
    }
}
