import Junction

/// `{type: jq, expr: 'select(.level == "alert")'}`
public struct JQConfig: ComponentConfig {
    /// The jq program.
    public var expr = ""

    public init() {}

    public static let fields: [ConfigField<JQConfig>] = [
        .field("expr", \.expr, "The jq program; each output becomes one message (compact JSON text).", required: true),
    ]

    public func validate() throws {
        if expr.allSatisfy(\.isWhitespace) { throw ConfigDiagnostic("'expr' is empty", hint: "use '.' to pass messages through") }
    }
}
