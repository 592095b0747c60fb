import DataChannelPlugin
import Junction
import JunctionNet
import RTMPlugin
import StagesPlugin
import StdioPlugin
import WebhookPlugin
import WebSocketPlugin
import XRTCPlugin

/// Every plugin built into this binary, like Fluent Bit's REGISTER_IN_PLUGIN lines.
enum InTreePlugins {
    static func registry() -> PluginRegistry {
        var registry = PluginRegistry()
        StdioPlugin.register(into: &registry)
        StagesPlugin.register(into: &registry)
        JunctionNetPlugin.register(into: &registry)
        XRTCPlugin.register(into: &registry)
        DataChannelPlugin.register(into: &registry)
        WebhookPlugin.register(into: &registry)
        WebSocketPlugin.register(into: &registry)
        RTMPlugin.register(into: &registry)
        return registry
    }
}
