import Logging

/// What a component gets from the runtime when it is built.
///
/// ```swift
/// context.logger.info("listening", metadata: ["path": "/hooks/in"])
/// ```
public struct ComponentContext: Sendable {
    /// The component's name in routes.yaml (`lines`, `out`, …).
    public let name: String
    /// The component's type (`stdin`, `jq`, …).
    public let type: String
    /// A logger labelled with the component.
    public let logger: Logger
    /// The directory of routes.yaml, for resolving relative paths.
    public let baseDirectory: String
    /// Shared services that plugins offer each other (an HTTP listener, …).
    public let services: ServiceRegistry

    public init(name: String, type: String, logger: Logger? = nil, baseDirectory: String = ".", services: ServiceRegistry = ServiceRegistry()) {
        self.name = name
        self.type = type
        var logger = logger ?? Logger(label: "junction.\(name)")
        logger[metadataKey: "component"] = "\(name)"
        self.logger = logger
        self.baseDirectory = baseDirectory
        self.services = services
    }

    /// Resolves a path from routes.yaml against its directory.
    public func resolve(path: String) -> String { Self.resolve(path: path, against: baseDirectory) }

    /// Resolves `path` against `baseDirectory` (the directory of routes.yaml); absolute paths and `-` stay.
    public static func resolve(path: String, against baseDirectory: String) -> String {
        if path.hasPrefix("/") || path == "-" { return path }
        return baseDirectory == "." || baseDirectory.isEmpty ? path : baseDirectory + "/" + path
    }
}
