import Yams

/// A declared component, decoded and checked, not yet running.
public struct ComponentDecl: Sendable {
    public let name: String
    public let kind: PluginRegistry.Kind
    public let type: PluginRegistry.ComponentType
    public let config: any Sendable
    public let location: ConfigLocation?

    /// Builds a fresh instance.
    public func make(_ context: ComponentContext) throws -> AnyObject { try type.make(config, context) }
}

/// A declared route with its location.
public struct RouteDecl: Sendable {
    public let index: Int
    public let config: RouteConfig
    public let location: ConfigLocation?
    /// Locations of the names under `from`, `via`, `to` and `errors`, in order.
    public var nameLocations: [String: [ConfigLocation?]] = [:]
    /// A route with other mistakes, kept only so its names are checked too.
    var checkOnly = false
    /// `name:` or `route-N` (1-based).
    public var name: String { config.name ?? "route-\(index + 1)" }
}

/// The checked routing graph of one routes.yaml.
public struct Graph: Sendable {
    public var sources: [ComponentDecl] = []
    public var stages: [ComponentDecl] = []
    public var sinks: [ComponentDecl] = []
    public var routes: [RouteDecl] = []
    /// Warnings found while building (unused components, …).
    public var warnings: [ConfigDiagnostic] = []
    /// How long shutdown waits for in-flight messages to drain.
    public var shutdownTimeout: Seconds = 10
    /// Names declared but not decoded (they have their own errors; routes naming them are not blamed).
    var failedNames: [String: PluginRegistry.Kind] = [:]
    /// The directory of the file, for relative paths.
    public var baseDirectory: String = "."

    public func source(_ name: String) -> ComponentDecl? { sources.first { $0.name == name } }
    public func stage(_ name: String) -> ComponentDecl? { stages.first { $0.name == name } }
    public func sink(_ name: String) -> ComponentDecl? { sinks.first { $0.name == name } }
}

/// A component config that names an outside resource that a sink of one type
/// writes and a source reads (a file path, a portal): a route from such a
/// source to such a sink is a loop, reported as a cycle.
public protocol LoopbackResource {
    /// A key equal for a sink and a source that see the same resource; nil for none.
    var loopbackKey: String? { get }
    /// The key with relative paths resolved against `baseDirectory`, the
    /// directory of routes.yaml, so that two spellings of one file agree.
    /// Defaults to `loopbackKey`.
    func loopbackKey(relativeTo baseDirectory: String) -> String?
}

extension LoopbackResource {
    public func loopbackKey(relativeTo baseDirectory: String) -> String? { loopbackKey }
}
