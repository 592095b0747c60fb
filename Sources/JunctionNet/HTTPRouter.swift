import Synchronization

/// A request handler: answers through the responder, now or later, from any thread.
public typealias HTTPHandler = @Sendable (HTTPRequest, HTTPResponder) -> Void

/// A mounted handler and where it runs.
struct HTTPRoute {
    let handler: HTTPHandler
    /// Runs on the service thread itself (see ``HTTPServer/mount(_:prefix:inline:handler:)``).
    let inline: Bool
    /// The body size limit for this route; nil means the server's.
    var maxBody: Int? = nil
    /// The request headers its handler gets.
    var headers: HTTPHeaderSelection = .all
}

/// The mount table: exact paths first, then the longest matching prefix.
/// Written by `mount` from any thread, read by the service thread per request.
final class HTTPRouter: Sendable {
    private struct Table {
        var exact: [String: HTTPRoute] = [:]
        /// (path, path + "/", route), longest path first.
        var prefixes: [(path: String, slashed: String, route: HTTPRoute)] = []
    }

    private let table = Mutex(Table())

    func mount(
        _ path: String, prefix: Bool, inline: Bool = false, maxBody: Int? = nil, headers: HTTPHeaderSelection = .all,
        handler: @escaping HTTPHandler
    ) {
        let path = Self.normalise(path)
        let route = HTTPRoute(handler: handler, inline: inline, maxBody: maxBody, headers: Self.lowercased(headers))
        table.withLock { t in
            if prefix {
                t.prefixes.removeAll { $0.path == path }
                let slashed = path == "/" ? "/" : path + "/"
                t.prefixes.append((path, slashed, route))
                t.prefixes.sort { $0.path.utf8.count > $1.path.utf8.count }
            } else {
                t.exact[path] = route
            }
        }
    }

    func route(_ path: String) -> HTTPRoute? {
        table.withLock { t in
            if let route = t.exact[path] { return route }
            for entry in t.prefixes where path == entry.path || path.hasPrefix(entry.slashed) {
                return entry.route
            }
            return nil
        }
    }

    private static func lowercased(_ selection: HTTPHeaderSelection) -> HTTPHeaderSelection {
        guard case .only(let names) = selection else { return selection }
        return .only(names.map { $0.lowercased() })
    }

    /// "/a/b/" → "/a/b", "a" → "/a", "" → "/".
    static func normalise(_ path: String) -> String {
        var p = path.hasPrefix("/") ? path : "/" + path
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        return p
    }
}
