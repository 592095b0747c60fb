import Junction

/// `{type: batch, count: 100, bytes: 1MiB, period: 1s, format: lines}`
public struct BatchConfig: ComponentConfig {
    /// Messages per batch.
    public var count = 100
    /// Emit once a batch's payload reaches this size.
    public var bytes: ByteSize?
    /// Emit a batch this long after its first message at the latest.
    public var period: Seconds?
    /// How payloads are joined.
    public var format: PayloadFormat = .lines

    public init() {}

    public static let fields: [ConfigField<BatchConfig>] = [
        .field("count", \.count, "Messages per batch: a batch is emitted when it holds this many."),
        .field("bytes", \.bytes, "Emit when the joined payload reaches this size (a message that would overflow starts the next batch)."),
        .field("period", \.period, "Emit at the latest this long after a batch's first message."),
        .field("format", \.format, "lines joins payloads with newlines; json_array makes a JSON array of them."),
    ]

    public func validate() throws {
        if count < 1 { throw ConfigDiagnostic("'count' must be at least 1") }
        if let bytes, bytes.bytes < 1 { throw ConfigDiagnostic("'bytes' must be above 0") }
        if let period, period.nanoseconds == 0 { throw ConfigDiagnostic("'period' must be above 0", hint: "omit it to wait for count or bytes") }
    }
}
