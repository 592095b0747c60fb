import Junction

/// `{type: switch, cases: [{when: <predicate>, to: [sinkA]}], default: [sinkB], first_match: true}`
public struct SwitchConfig: ComponentConfig, RoutingStageConfig {
    /// The cases, tried in order.
    public var cases = SwitchCases()
    /// Sinks for messages no case matches; none drops them.
    public var defaultTargets: [String] = []
    /// Stop at the first matching case; otherwise send to every matching case's sinks.
    public var firstMatch = true

    public init() {}

    public static let fields: [ConfigField<SwitchConfig>] = [
        .field("cases", \.cases, "Cases tried in order: {when: <predicate>, to: [sinks]}.", required: true),
        .field("default", \.defaultTargets, "Sinks for messages no case matches; without it they are dropped."),
        .field("first_match", \.firstMatch, "Use only the first matching case; false sends to the sinks of every matching case."),
    ]

    /// Every sink named by a case or the default, once each.
    public var routeTargets: [String] {
        var seen = Set<String>()
        return (cases.list.flatMap(\.to) + defaultTargets).filter { seen.insert($0).inserted }
    }

    public func validate() throws {
        if cases.list.isEmpty { throw ConfigDiagnostic("'cases' is empty", hint: "add {when: <predicate>, to: [sink]}") }
    }
}

/// One case of a `switch`.
public struct SwitchCase: ComponentConfig {
    /// The condition.
    public var when: Predicate = .all([])
    /// The sinks for matching messages.
    public var to: [String] = []

    public init() {}

    public static let fields: [ConfigField<SwitchCase>] = [
        .field("when", \.when, "The condition.", required: true),
        .field("to", \.to, "Sinks of the route for matching messages.", required: true),
    ]

    public func validate() throws {
        if to.isEmpty { throw ConfigDiagnostic("'to' is empty", hint: "name at least one sink of the route") }
    }
}

/// The `cases:` list of a `switch`.
public struct SwitchCases: Decodable, Sendable, ConfigDescribable {
    /// The cases in order.
    public var list: [SwitchCase]

    /// A list of cases.
    public init(_ list: [SwitchCase] = []) { self.list = list }

    public init(from decoder: any Decoder) throws {
        list = try [SwitchCase](from: decoder)
    }

    public static var configTypeName: String { "[{when: predicate, to: [sink]}]" }
    public var configDescription: String { "[" + list.map { "{when: \($0.when), to: [\($0.to.joined(separator: ", "))]}" }.joined(separator: ", ") + "]" }
}
