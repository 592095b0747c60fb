import Junction

/// `{type: filter, where: {field: level, equals: alert}}`
public struct FilterConfig: ComponentConfig {
    /// The condition a message must meet to pass.
    public var predicate: Predicate = .all([])

    public init() {}

    public static let fields: [ConfigField<FilterConfig>] = [
        .field("where", \.predicate, "The condition to pass: {field: f, equals|not_equals|in|exists|regex|gt|gte|lt|lte: v}, or all/any/not of predicates.", required: true),
    ]
}
