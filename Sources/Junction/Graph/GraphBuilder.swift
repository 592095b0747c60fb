import Foundation
import Yams

/// Reads routes.yaml into a checked `Graph`, collecting every mistake.
///
/// ```swift
/// let graph = try GraphBuilder(registry: registry).load(file: "routes.yaml")
/// ```
public struct GraphBuilder: Sendable {
    public let registry: PluginRegistry
    public var environment: ConfigEnvironment
    public let services: ServiceRegistry

    static let coreKeys = ["sources", "stages", "sinks", "routes", "shutdown_timeout"]

    public init(registry: PluginRegistry, environment: ConfigEnvironment = .process(), services: ServiceRegistry = ServiceRegistry()) {
        self.registry = registry
        self.environment = environment
        self.services = services
    }

    /// Loads and checks a file. Throws `ConfigErrors` listing every mistake.
    public func load(file path: String) throws -> Graph {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ConfigErrors([ConfigDiagnostic("cannot read '\(path)': \(error.localizedDescription)")])
        }
        return try load(yaml: text, file: path)
    }

    /// Loads and checks YAML text; `file` names it in locations, and its
    /// directory is where relative paths in it start (`baseDirectory`).
    public func load(yaml text: String, file: String = "routes.yaml") throws -> Graph {
        let session = ConfigSession(file: file)
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw ConfigErrors([ConfigDiagnostic("the file is empty", at: ConfigLocation(file: file, line: 1, column: 1), hint: "declare sources, sinks and routes")])
            }
            root = node
        } catch let error as YamlError {
            throw ConfigErrors([Self.diagnostic(for: error, file: file)])
        }
        let expanded = environment.expand(root, session: session)
        var graph = Graph()
        let dir = (file as NSString).deletingLastPathComponent
        graph.baseDirectory = dir.isEmpty ? "." : dir
        services.baseDirectory = graph.baseDirectory
        build(expanded, session: session, into: &graph)
        session.reportUnknownKeys()
        let all = session.sortedDiagnostics()
        graph.warnings = all.filter { $0.severity == .warning }
        let errors = all.filter { $0.severity == .error }
        if !errors.isEmpty { throw ConfigErrors(errors + graph.warnings) }
        return graph
    }

    private func build(_ root: Node, session: ConfigSession, into graph: inout Graph) {
        guard case let .mapping(top) = root else {
            session.report(ConfigDiagnostic("expected a mapping with sources, sinks and routes, found \(NodeDecoder.describe(root))", at: session.location(of: root)))
            return
        }
        let known = Self.coreKeys + registry.sectionList.map(\.key)
        for (keyNode, value) in top {
            guard let key = keyNode.string else { continue }
            guard known.contains(key) else {
                session.report(ConfigDiagnostic("unknown top-level key '\(key)'", at: session.location(of: keyNode),
                                                hint: ConfigDiagnostic.suggestion(for: key, among: known, listName: "known keys")))
                continue
            }
            if let section = registry.section(key) {
                do { try section.decode(value, session, services) } catch { record(error, at: value, session) }
            }
        }
        if let timeout = top["shutdown_timeout"] {
            do { graph.shutdownTimeout = try session.decode(Seconds.self, from: timeout, path: ["shutdown_timeout"]) } catch { record(error, at: timeout, session) }
        }
        graph.sources = components(.source, top["sources"], session, &graph.failedNames)
        graph.stages = components(.stage, top["stages"], session, &graph.failedNames)
        graph.sinks = components(.sink, top["sinks"], session, &graph.failedNames)
        checkUniqueNames(graph, session)
        if let routes = top["routes"] {
            graph.routes = decodeRoutes(routes, session)
        } else if !top.keys.contains(where: { $0.string.map { registry.section($0) != nil } ?? false }) {
            // A file with only plugin sections (a hosted XRTC server) needs no routes.
            session.report(ConfigDiagnostic("no routes declared", at: session.location(of: root), hint: "add 'routes:' with from: and to:"))
        }
        validate(&graph, session)
        graph.routes.removeAll { $0.checkOnly }
    }

    func record(_ error: any Error, at node: Node?, _ session: ConfigSession) {
        if error is ConfigAlreadyReported { return }
        session.report(error, at: node)
    }

    private func components(_ kind: PluginRegistry.Kind, _ node: Node?, _ session: ConfigSession, _ failed: inout [String: PluginRegistry.Kind]) -> [ComponentDecl] {
        guard let node else { return [] }
        let section = kind.rawValue + "s"
        guard case let .mapping(mapping) = node else {
            if !NodeSingleValueContainer.isNull(node) {
                session.report(ConfigDiagnostic("expected a mapping of named \(section) under '\(section)', found \(NodeDecoder.describe(node))", at: session.location(of: node)))
            }
            return []
        }
        var result: [ComponentDecl] = []
        for (nameNode, spec) in mapping {
            guard let name = nameNode.string else { continue }
            failed[name] = kind
            let path = [section, name]
            guard case let .mapping(specMap) = spec else {
                session.report(ConfigDiagnostic("expected a mapping with 'type:' for \(kind.rawValue) '\(name)', found \(NodeDecoder.describe(spec))", at: session.location(of: spec)))
                continue
            }
            guard let typeNode = specMap["type"], let typeName = typeNode.string, !typeName.isEmpty else {
                session.report(ConfigDiagnostic("\(kind.rawValue) '\(name)' has no 'type'", at: session.location(of: spec),
                                                hint: "known types: " + registry.types(of: kind).map(\.name).joined(separator: ", ")))
                continue
            }
            session.markAccessed("type", in: spec, path: path)
            guard let type = registry.type(kind, typeName) else {
                let names = registry.types(of: kind).map(\.name)
                var hint = ConfigDiagnostic.suggestion(for: typeName, among: names, listName: "known types")
                if hint?.hasPrefix("did") == true { hint! += "; known types: " + names.joined(separator: ", ") }
                session.report(ConfigDiagnostic("unknown \(kind.rawValue) type '\(typeName)'", at: session.location(of: typeNode), hint: hint))
                // Keep other keys of this component out of the unknown-key report.
                for (k, _) in specMap { if let k = k.string { session.markAccessed(k, in: spec, path: path) } }
                continue
            }
            do {
                let config = try type.decode(spec, session, path)
                if kind == .stage {
                    // Stages are pure: build one now so a program that does not compile (jq, regex) is a config mistake.
                    _ = try type.make(config, ComponentContext(name: name, type: typeName, services: services))
                }
                result.append(ComponentDecl(name: name, kind: kind, type: type, config: config, location: session.location(of: nameNode)))
                failed[name] = nil
            } catch {
                record(error, at: spec, session)
            }
        }
        return result
    }

    /// A name used twice is reported where it appears the second time in the file,
    /// whichever section comes first.
    private func checkUniqueNames(_ graph: Graph, _ session: ConfigSession) {
        var seen: [String: ComponentDecl] = [:]
        let inFileOrder = (graph.sources + graph.stages + graph.sinks).enumerated().sorted { a, b in
            switch (a.element.location, b.element.location) {
            case let (x?, y?): return (x.line, x.column, a.offset) < (y.line, y.column, b.offset)
            case (nil, _?): return false
            case (_?, nil): return true
            default: return a.offset < b.offset
            }
        }.map(\.element)
        for decl in inFileOrder {
            if let first = seen[decl.name] {
                session.report(ConfigDiagnostic("name '\(decl.name)' is used by a \(first.kind.rawValue) and a \(decl.kind.rawValue)",
                                                at: decl.location, hint: "give every component its own name"))
            } else {
                seen[decl.name] = decl
            }
        }
    }

    private func decodeRoutes(_ node: Node, _ session: ConfigSession) -> [RouteDecl] {
        guard case let .sequence(seq) = node else {
            session.report(ConfigDiagnostic("expected a list of routes under 'routes', found \(NodeDecoder.describe(node))", at: session.location(of: node)))
            return []
        }
        var routes: [RouteDecl] = []
        for (i, item) in seq.enumerated() {
            do {
                let config = try session.decode(RouteConfig.self, from: item, path: ["routes", "\(i)"])
                routes.append(RouteDecl(index: i, config: config, location: session.location(of: item), nameLocations: nameLocations(item, session)))
            } catch {
                record(error, at: item, session)
                // Still check the names of a route with other mistakes, so every mistake shows at once.
                if var names = try? ConfigSession(file: session.file).decode(RouteNames.self, from: item) {
                    names.index = i
                    routes.append(RouteDecl(index: i, config: names.route, location: session.location(of: item),
                                            nameLocations: nameLocations(item, session), checkOnly: true))
                }
            }
        }
        return routes
    }

    private func nameLocations(_ item: Node, _ session: ConfigSession) -> [String: [ConfigLocation?]] {
        var places: [String: [ConfigLocation?]] = [:]
        guard case let .mapping(m) = item else { return places }
        for key in ["from", "via", "to", "errors"] {
            guard let v = m[key] else { continue }
            if case let .sequence(names) = v { places[key] = names.map { session.location(of: $0) } } else { places[key] = [session.location(of: v)] }
        }
        return places
    }

    static func diagnostic(for error: YamlError, file: String) -> ConfigDiagnostic {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            let text = context.map { "\(problem) \($0.text)" } ?? problem
            return ConfigDiagnostic("invalid YAML: \(text)", at: ConfigLocation(file: file, line: mark.line, column: mark.column))
        case let .duplicatedKeysInMapping(duplicates, context):
            return ConfigDiagnostic("duplicate key \(duplicates.map { "'\($0)'" }.joined(separator: ", "))",
                                    at: ConfigLocation(file: file, line: context.mark.line, column: context.mark.column))
        default:
            return ConfigDiagnostic("invalid YAML: \(error)", at: ConfigLocation(file: file, line: 1, column: 1))
        }
    }
}
