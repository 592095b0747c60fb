/// Why an ``HTTPServer`` could not be created or started.
///
/// ```swift
/// do {
///     try server.start()
/// } catch HTTPServerError.portInUse(let host, let port) {
///     logger.error("port \(port) on \(host) is taken")
/// }
/// ```
public enum HTTPServerError: Error, Equatable, CustomStringConvertible {
    /// The configuration can't work (bad port, limits, unreadable TLS files …).
    case invalidConfig(String)
    /// Another socket already listens on this address and port.
    case portInUse(host: String, port: Int)
    /// libwebsockets could not set the listener up (bind failed for another reason, TLS setup …).
    case startFailed(String)
    /// `start()` was called twice, or after `stop()`.
    case alreadyStarted

    public var description: String {
        switch self {
        case .invalidConfig(let why): return "invalid HTTP server config: \(why)"
        case .portInUse(let host, let port): return "cannot listen on \(host):\(port): address already in use"
        case .startFailed(let why): return "HTTP server failed to start: \(why)"
        case .alreadyStarted: return "HTTP server was already started"
        }
    }
}
