import Junction
import JunctionNet
import Logging

/// Registers the `rtm:` section: the RTM WebSocket endpoint (seed 003) on
/// the shared listener, whose sessions' data channels join the
/// `datachannel` sources and sinks.
public enum RTMPlugin {
    public static func register(into registry: inout PluginRegistry) {
        registry.registerSection(
            "rtm", config: RTMConfig.self,
            doc: "RTM sessions over WebSocket: session_start with an SDP offer, state messages, ping/pong, session_stop."
        ) { config, services in
            // The registry's lock is not reentrant: what the server needs is fetched first.
            let listener = services.shared(HTTPListener.self) { HTTPListener(services: services) }
            let recordings = ComponentContext.resolve(path: config.recordings, against: services.baseDirectory)
            _ = services.shared(RTMServer.self) {
                RTMServer(config: config, services: services, listener: listener, recordings: recordings, logger: Logger(label: "junction.rtm"))
            }
        }
        registry.registerSource("rtm_events", config: RTMEventsConfig.self, doc: "RTM session and recording events (session_state, recording_state) as JSON messages.") { config, context in
            guard let server = context.services.existing(RTMServer.self) else {
                throw ConfigDiagnostic("rtm_events needs the rtm: section (the RTM endpoint whose events it reads)")
            }
            return RTMEventsSource(config: config, server: server, context: context)
        }
    }
}
