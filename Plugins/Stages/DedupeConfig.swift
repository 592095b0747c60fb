import Junction

/// `{type: dedupe, key: "id", window: 60s, max_keys: 100000}`
public struct DedupeConfig: ComponentConfig {
    /// The field whose value identifies a message; nil means the whole payload.
    public var key: String?
    /// How long a key is remembered; 0 means until evicted by `max_keys`.
    public var window: Seconds = 60
    /// Most keys remembered; the oldest go first.
    public var maxKeys = 100_000

    public init() {}

    public static let fields: [ConfigField<DedupeConfig>] = [
        .field("key", \.key, "Dotted path of the field that identifies a message; default the whole payload."),
        .field("window", \.window, "Drop a message whose key passed less than this long ago; 0 remembers keys until max_keys evicts them."),
        .field("max_keys", \.maxKeys, "Most keys remembered (64-bit hashes); the oldest are forgotten first."),
    ]

    public func validate() throws {
        if maxKeys < 1 { throw ConfigDiagnostic("'max_keys' must be at least 1") }
        if let key, key.isEmpty || key.split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty) {
            throw ConfigDiagnostic("invalid field path '\(key)'", hint: "use dotted keys such as 'id' or 'event.id'")
        }
    }
}
