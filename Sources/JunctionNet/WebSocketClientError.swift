/// Why a ``WebSocketClient`` could not be made or started.
///
/// ```swift
/// do { try client.start() } catch let error as WebSocketClientError { logger.error("\(error)") }
/// ```
public enum WebSocketClientError: Error, Equatable, CustomStringConvertible {
    /// The URL is not `ws://` or `wss://` with a host.
    case invalidURL(String)
    /// A setting is out of range.
    case invalidConfig(String)
    /// libwebsockets could not create the client context.
    case startFailed(String)
    /// ``WebSocketClient/start()`` was called twice.
    case alreadyStarted

    public var description: String {
        switch self {
        case .invalidURL(let url): return "invalid WebSocket URL '\(url)': use ws://host[:port]/path or wss://…"
        case .invalidConfig(let why): return "invalid WebSocket client setting: \(why)"
        case .startFailed(let why): return "WebSocket client could not start: \(why)"
        case .alreadyStarted: return "WebSocket client already started"
        }
    }
}
