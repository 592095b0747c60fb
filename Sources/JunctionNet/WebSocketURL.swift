import Foundation

/// A parsed `ws://` / `wss://` URL: what `lws_client_connect_via_info` needs.
///
/// ```swift
/// let url = try WebSocketURL("wss://example.com/feed?x=1")   // port 443, path "/feed?x=1"
/// ```
struct WebSocketURL: Sendable, Equatable {
    var tls: Bool
    var host: String
    var port: Int
    /// Path and query, starting with `/`.
    var path: String

    /// The `Host` header: the host, with the port when it is not the scheme's default.
    var hostHeader: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return port == (tls ? 443 : 80) ? h : "\(h):\(port)"
    }

    init(_ text: String) throws(WebSocketClientError) {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              scheme == "ws" || scheme == "wss", let host = components.host, !host.isEmpty else {
            throw .invalidURL(text)
        }
        tls = scheme == "wss"
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        port = components.port ?? (tls ? 443 : 80)
        guard (1...65535).contains(port) else { throw .invalidURL(text) }
        var path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        if let query = components.percentEncodedQuery { path += "?" + query }
        self.path = path
    }
}
