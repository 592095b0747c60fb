import Junction

/// When a webhook sink tries a message again, and when it gives up (the
/// message goes to the dead letters). The `retry` section of a webhook sink.
///
/// `schedule[i]` is the wait before attempt `i + 1`, counted from the end of
/// attempt `i`; its first entry is the wait before the first attempt
/// (normally none). The default follows Svix: at once, then 5 s, 5 min,
/// 30 min, 2 h, 5 h, 10 h and 10 h — 8 attempts over about 27.6 hours.
/// Each wait is multiplied by a random factor in `[1 - jitter, 1 + jitter]`
/// so that endpoints recovering from an outage are not hit all at once.
///
/// ```yaml
/// sinks:
///   ops:
///     type: webhook
///     url: https://ops.example/hook
///     retry: { schedule: [0s, 10s, 1m, 10m, 1h], jitter: 0.1, max_retry_after: 30m }
/// ```
///
/// ```swift
/// let policy = WebhookRetryPolicy()
/// if let wait = policy.delay(afterAttempt: attempt, retryAfter: retryAfterSeconds) {
///     queue.asyncAfter(deadline: .now() + wait) { send(message, attempt: attempt + 1) }
/// } else {
///     deadLetter(message)
/// }
/// ```
public struct WebhookRetryPolicy: ComponentConfig, ConfigDescribable, Equatable {
    /// Waits before each attempt; the number of entries is the number of
    /// attempts. Must not be empty.
    public var schedule: [Seconds] = [0, 5, 300, 1800, 7200, 18_000, 36_000, 36_000]
    /// The spread of the random factor every wait is multiplied by, 0 to 1:
    /// `0.2` means ×0.8 to ×1.2; `0` means the schedule exactly.
    public var jitter = 0.2
    /// The longest wait a `Retry-After` header from the endpoint may impose;
    /// longer values are cut to this. `Retry-After` only ever lengthens a
    /// wait from the schedule, and never adds attempts.
    public var maxRetryAfter: Seconds = 3600

    /// The default policy (Svix's schedule, 20 % jitter, Retry-After capped at 1 h).
    ///
    /// ```swift
    /// let policy = WebhookRetryPolicy()
    /// policy.maxAttempts   // 8
    /// ```
    public init() {}

    /// A policy with the given parts.
    ///
    /// ```swift
    /// let quick = WebhookRetryPolicy(schedule: [0, 1, 2], jitter: 0)
    /// ```
    public init(schedule: [Seconds], jitter: Double = 0.2, maxRetryAfter: Seconds = 3600) {
        self.schedule = schedule
        self.jitter = jitter
        self.maxRetryAfter = maxRetryAfter
    }

    public static let fields: [ConfigField<WebhookRetryPolicy>] = [
        .field("schedule", \.schedule, "Waits before each attempt, the first one before the first attempt (normally 0s); as many attempts as entries, then the message is dead-lettered."),
        .field("jitter", \.jitter, "Each wait is multiplied by a random factor in [1 - jitter, 1 + jitter]; 0 to 1."),
        .field("max_retry_after", \.maxRetryAfter, "The longest wait an endpoint's Retry-After header may impose (it can only lengthen a scheduled wait)."),
    ]

    public func validate() throws {
        guard !schedule.isEmpty else {
            throw ConfigDiagnostic.field("schedule", "schedule must have at least one entry (the wait before the first attempt, usually 0s)")
        }
        guard jitter >= 0, jitter <= 1 else { throw ConfigDiagnostic.field("jitter", "jitter must be between 0 and 1") }
    }

    /// How many attempts a message gets before it is dead-lettered.
    public var maxAttempts: Int { schedule.count }

    /// Seconds to wait after attempt `attempt` (1 for the first; 0 asks for
    /// the wait before the first attempt) before trying again, or `nil` when
    /// the schedule is used up and the message goes to the dead letters.
    /// `retryAfter` is the endpoint's `Retry-After` in seconds, if it sent one
    /// (see `HTTPRetryAfter`): the result is the larger of the jittered
    /// schedule entry and `retryAfter` capped at ``maxRetryAfter``.
    ///
    /// ```swift
    /// policy.delay(afterAttempt: 1, retryAfter: nil)   // 5 s ± 20 %
    /// policy.delay(afterAttempt: 1, retryAfter: 120)   // 120 s
    /// policy.delay(afterAttempt: 8, retryAfter: nil)   // nil: give up
    /// ```
    public func delay(afterAttempt attempt: Int, retryAfter: Double?) -> Double? {
        var generator = SystemRandomNumberGenerator()
        return delay(afterAttempt: attempt, retryAfter: retryAfter, using: &generator)
    }

    /// ``delay(afterAttempt:retryAfter:)`` drawing the jitter from
    /// `generator` (tests pass a fixed one).
    ///
    /// ```swift
    /// var g = SystemRandomNumberGenerator()
    /// let wait = policy.delay(afterAttempt: 2, retryAfter: nil, using: &g)
    /// ```
    public func delay(afterAttempt attempt: Int, retryAfter: Double?, using generator: inout some RandomNumberGenerator) -> Double? {
        let index = max(0, attempt)
        guard index < schedule.count else { return nil }
        var wait = max(0, schedule[index].value)
        let spread = jitter.isNaN ? 0 : min(1, max(0, jitter))
        if wait > 0, spread > 0 {
            // Exactly one draw per wait: `Double.random(in:using:)` redraws on
            // some values, which never ends with a generator that repeats itself.
            let unit = Double(generator.next() >> 11) * 0x1p-53   // [0, 1)
            wait *= 1 - spread + 2 * spread * unit
        }
        if let retryAfter, retryAfter.isFinite, retryAfter > 0 {
            wait = max(wait, min(retryAfter, max(0, maxRetryAfter.value)))
        }
        return wait
    }

    public static var configTypeName: String { "retry policy" }
    public var configDescription: String {
        "schedule [" + schedule.map(\.configDescription).joined(separator: ", ") + "], jitter \(jitter), max_retry_after \(maxRetryAfter.configDescription)"
    }
}
