import Junction
import JunctionNet
import Logging

/// Registers the `xrtc:` section (the embedded XRTC server) and the `xrtc`
/// source and sink for hosted portals.
public enum XRTCPlugin {
    public static func register(into registry: inout PluginRegistry) {
        // The nested configs are listed field by field below their parent.
        let fields = PluginRegistry.fieldDocs(XRTCSectionConfig.self).map { field in
            switch field.key {
            case "accounts": PluginRegistry.FieldDoc(key: field.key, type: "[{id, api_keys}]", defaultValue: "required", required: true, doc: field.doc)
            case "limits": PluginRegistry.FieldDoc(key: field.key, type: "{…}", defaultValue: "see limits.*", doc: field.doc)
            default: field
            }
        }
            + PluginRegistry.fieldDocs(XRTCAccountConfig.self, prefix: "accounts[].")
            + PluginRegistry.fieldDocs(XRTCLimits.self, prefix: "limits.")
        registry.registerSection(
            "xrtc", config: XRTCSectionConfig.self, doc: "The embedded XRTC server: accounts, API keys and limits.", fields: fields
        ) { config, services in
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
