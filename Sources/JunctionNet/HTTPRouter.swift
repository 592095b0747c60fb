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
/// Written by `mount` from any thread, read by the service threads per
/// request through a ``Cache`` of their own, which takes the lock only after
/// a mount changed the table.
final class HTTPRouter: Sendable {
    fileprivate struct Table {
        var exact: [String: HTTPRoute] = [:]
        /// (path, path + "/", route), longest path first.
        var prefixes: [(path: String, slashed: String, route: HTTPRoute)] = []
        /// Bumped by every mount.
        var generation = 0

        func route(_ path: String) -> HTTPRoute? {
            if let route = exact[path] { return route }
            for entry in prefixes where path == entry.path || path.hasPrefix(entry.slashed) {
                return entry.route
            }
            return nil
        }
    }

    /// One reader's copy of the table.
    struct Cache {
        fileprivate var table = Table()
        fileprivate var generation = -1
    }

    private let table = Mutex(Table())
    /// The table's generation, readable without the lock.
    private let generation = Atomic(0)

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
            t.generation += 1
            generation.store(t.generation, ordering: .releasing)
        }
    }

    /// The route for `path`, looked up in `cache`, which is refreshed first
    /// if a mount changed the table since.
    func route(_ path: String, cache: inout Cache) -> HTTPRoute? {
        if generation.load(ordering: .acquiring) != cache.generation {
            cache.table = table.withLock { $0 }
            cache.generation = cache.table.generation
        }
        return cache.table.route(path)
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
