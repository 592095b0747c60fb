import Junction
import JunctionNet

/// Registers the `websocket` source and sink: server mode on a path of the
/// shared listener, client mode to a URL.
///
/// ```swift
/// var registry = PluginRegistry()
/// WebSocketPlugin.register(into: &registry)
/// ```
public enum WebSocketPlugin {
    /// Adds the `websocket` source and sink types to `registry`.
    public static func register(into registry: inout PluginRegistry) {
        registry.registerSource(
            "websocket", config: WebSocketConfig.self,
            doc: "Messages from WebSocket clients on a path of the listener (path), or from a server Junction connects to (url)."
        ) { config, context in
            try WebSocketSource(config: config, context: context)
        }
        registry.registerSink(
            "websocket", config: WebSocketConfig.self,
            doc: "Messages sent on WebSockets: to the connection named in the metadata or to every client on the path (path), or to a server (url)."
        ) { config, context in
            try WebSocketSink(config: config, context: context)
        }
    }
}
