import Junction

/// `{type: split, format: lines}`
public struct SplitConfig: ComponentConfig {
    /// How the payload holds several messages.
    public var format: PayloadFormat = .lines

    public init() {}

    public static let fields: [ConfigField<SplitConfig>] = [
        .field("format", \.format, "lines: one message per non-empty line; json_array: one message per element (its JSON text)."),
    ]
}
