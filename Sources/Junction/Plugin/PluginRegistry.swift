import Yams

/// The component types a process knows. Plugins add theirs; the core never
/// imports a plugin.
///
/// ```swift
/// var registry = PluginRegistry()
/// registry.registerSource("stdin", config: StdinConfig.self, doc: "Reads standard input.") { config, context in
///     StdinSource(config: config, context: context)
/// }
/// ```
public struct PluginRegistry: Sendable {
    /// Sources, stages and sinks.
    public enum Kind: String, Sendable, CaseIterable {
        case source, stage, sink
    }

    /// A registered type with its documentation.
    public struct ComponentType: Sendable {
        public let kind: Kind
        public let name: String
        public let doc: String
        /// Fields with key, type, default and doc, from the config declaration.
        public let fields: [FieldDoc]
        let decode: @Sendable (Node, ConfigSession, [String]) throws -> any Sendable
        let make: @Sendable (any Sendable, ComponentContext) throws -> AnyObject
    }

    /// One documented field.
    public struct FieldDoc: Sendable {
        public let key: String
        public let type: String
        public let defaultValue: String
        public let required: Bool
        public let doc: String

        /// A field described by hand (for a section whose config is not a ``ComponentConfig``).
        ///
        /// ```swift
        /// FieldDoc(key: "threads", type: "int", defaultValue: "cores", doc: "Network threads.")
        /// ```
        public init(key: String, type: String, defaultValue: String, required: Bool = false, doc: String) {
            self.key = key
            self.type = type
            self.defaultValue = defaultValue
            self.required = required
            self.doc = doc
        }
    }

    /// The documented fields of a config type, from its declarations; `prefix`
    /// names where it nests (`"limits."`).
    ///
    /// ```swift
    /// let docs = PluginRegistry.fieldDocs(XRTCLimits.self, prefix: "limits.")
    /// ```
    public static func fieldDocs<C: ComponentConfig>(_ config: C.Type, prefix: String = "") -> [FieldDoc] {
        let defaults = C()
        return C.fields.map {
            FieldDoc(key: prefix + $0.key, type: $0.typeName, defaultValue: $0.required ? "required" : $0.defaultDescription(in: defaults),
                     required: $0.required, doc: $0.doc)
        }
    }

    /// A top-level section of routes.yaml owned by a plugin (`xrtc:`, `listen:`).
    public struct Section: Sendable {
        public let key: String
        public let doc: String
        /// Its fields, for `junction plugins`.
        public let fields: [FieldDoc]
        let decode: @Sendable (Node, ConfigSession, ServiceRegistry) throws -> Void
    }

    private(set) var types: [Kind: [String: ComponentType]] = [:]
    private(set) var sections: [String: Section] = [:]

    public init() {}

    /// Every type of a kind, sorted by name.
    public func types(of kind: Kind) -> [ComponentType] {
        (types[kind] ?? [:]).values.sorted { $0.name < $1.name }
    }

    /// The type named `name`, if registered.
    public func type(_ kind: Kind, _ name: String) -> ComponentType? { types[kind]?[name] }

    /// Registered top-level sections.
    public var sectionList: [Section] { sections.values.sorted { $0.key < $1.key } }
    func section(_ key: String) -> Section? { sections[key] }

    /// Adds a source type.
    public mutating func registerSource<C: ComponentConfig>(
        _ name: String, config: C.Type, doc: String,
        make: @escaping @Sendable (C, ComponentContext) throws -> any Source
    ) {
        add(.source, name, C.self, doc) { try make($0, $1) }
    }

    /// Adds a stage type. The factory runs once per route that uses the stage.
    public mutating func registerStage<C: ComponentConfig>(
        _ name: String, config: C.Type, doc: String,
        make: @escaping @Sendable (C, ComponentContext) throws -> any Stage
    ) {
        add(.stage, name, C.self, doc) { try make($0, $1) }
    }

    /// Adds a sink type.
    public mutating func registerSink<C: ComponentConfig>(
        _ name: String, config: C.Type, doc: String,
        make: @escaping @Sendable (C, ComponentContext) throws -> any Sink
    ) {
        add(.sink, name, C.self, doc) { try make($0, $1) }
    }

    /// Adds a top-level section; `apply` receives the decoded config and the
    /// shared services; `fields` document it in `junction plugins`.
    public mutating func registerSection<C: Decodable & Sendable>(
        _ key: String, config: C.Type, doc: String, fields: [FieldDoc] = [],
        apply: @escaping @Sendable (C, ServiceRegistry) throws -> Void
    ) {
        sections[key] = Section(key: key, doc: doc, fields: fields) { node, session, services in
            try apply(try session.decode(C.self, from: node, path: [key]), services)
        }
    }

    private mutating func add<C: ComponentConfig>(
        _ kind: Kind, _ name: String, _ config: C.Type, _ doc: String,
        make: @escaping @Sendable (C, ComponentContext) throws -> AnyObject
    ) {
        let fields = Self.fieldDocs(C.self)
        types[kind, default: [:]][name] = ComponentType(
            kind: kind, name: name, doc: doc, fields: fields,
            decode: { node, session, path in try session.decode(C.self, from: node, path: path) },
            make: { config, context in
                guard let config = config as? C else { throw ConfigDiagnostic("internal: wrong config type for '\(name)'") }
                return try make(config, context)
            }
        )
    }
}
