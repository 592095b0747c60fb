import Junction

/// `{type: rate_limit, count: 100, interval: 1s, burst: 100}`
public struct RateLimitConfig: ComponentConfig {
    /// Messages allowed per `interval`.
    public var count = 100
    /// The interval `count` refers to.
    public var interval: Seconds = 1
    /// Messages that may pass at once after a quiet spell; default `count`.
    public var burst: Int?

    public init() {}

    public static let fields: [ConfigField<RateLimitConfig>] = [
        .field("count", \.count, "Messages allowed per interval."),
        .field("interval", \.interval, "The interval count refers to."),
        .field("burst", \.burst, "Messages that may pass back to back after a quiet spell (the token bucket's size); default count."),
    ]

    /// The bucket size.
    public var effectiveBurst: Int { burst ?? count }

    public func validate() throws {
        if count < 1 { throw ConfigDiagnostic("'count' must be at least 1") }
        if interval.nanoseconds == 0 { throw ConfigDiagnostic("'interval' must be above 0", hint: "e.g. 1s or 250ms") }
        if let burst, burst < 1 { throw ConfigDiagnostic("'burst' must be at least 1") }
        if Double(interval.nanoseconds) * Double(effectiveBurst) >= Double(UInt64.max / 2) {
            throw ConfigDiagnostic("'interval' × 'burst' is too large")
        }
    }
}
