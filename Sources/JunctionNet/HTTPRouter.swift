import Synchronization

/// A request handler: runs off the service thread and answers through the responder.
public typealias HTTPHandler = @Sendable (HTTPRequest, HTTPResponder) -> Void

/// The mount table: exact paths first, then the longest matching prefix.
/// Written by `mount` from any thread, read by the service thread per request.
final class HTTPRouter: Sendable {
    private struct Table {
        var exact: [String: HTTPHandler] = [:]
        /// (path, path + "/", handler), longest path first.
        var prefixes: [(path: String, slashed: String, handler: HTTPHandler)] = []
    }

    private let table = Mutex(Table())

    func mount(_ path: String, prefix: Bool, handler: @escaping HTTPHandler) {
        let path = Self.normalise(path)
        table.withLock { t in
            if prefix {
                t.prefixes.removeAll { $0.path == path }
                let slashed = path == "/" ? "/" : path + "/"
                t.prefixes.append((path, slashed, handler))
                t.prefixes.sort { $0.path.utf8.count > $1.path.utf8.count }
            } else {
                t.exact[path] = handler
            }
        }
    }

    func route(_ path: String) -> HTTPHandler? {
        table.withLock { t in
            if let handler = t.exact[path] { return handler }
            for entry in t.prefixes where path == entry.path || path.hasPrefix(entry.slashed) {
                return entry.handler
            }
            return nil
        }
    }

    /// "/a/b/" → "/a/b", "a" → "/a", "" → "/".
    static func normalise(_ path: String) -> String {
        var p = path.hasPrefix("/") ? path : "/" + path
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        return p
    }
}
