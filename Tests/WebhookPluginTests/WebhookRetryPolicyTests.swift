import Junction
import Testing
import WebhookPlugin

@Suite("Webhook retry policy")
struct WebhookRetryPolicyTests {
    static let svix: [Double] = [0, 5, 300, 1800, 7200, 18_000, 36_000, 36_000]

    @Test("The default schedule is Svix's: 8 attempts, then nil (dead letter)")
    func defaultSchedule() {
        var policy = WebhookRetryPolicy()
        #expect(policy.schedule.map(\.value) == Self.svix)
        #expect(policy.maxAttempts == 8)
        #expect(policy.jitter == 0.2)
        #expect(policy.maxRetryAfter.value == 3600)
        policy.jitter = 0
        for n in 0..<8 { #expect(policy.delay(afterAttempt: n, retryAfter: nil) == Self.svix[n]) }
        #expect(policy.delay(afterAttempt: 8, retryAfter: nil) == nil)
        #expect(policy.delay(afterAttempt: 100, retryAfter: nil) == nil)
        #expect(policy.delay(afterAttempt: -3, retryAfter: nil) == 0)
    }

    @Test("Jitter stays within [1 - j, 1 + j] × the scheduled wait; its extremes are reached")
    func jitterBounds() {
        let policy = WebhookRetryPolicy()
        var low = FixedGenerator(value: 0)
        var high = FixedGenerator(value: .max)
        for n in 1..<8 {
            let d = Self.svix[n]
            let bottom = policy.delay(afterAttempt: n, retryAfter: nil, using: &low) ?? -1
            let top = policy.delay(afterAttempt: n, retryAfter: nil, using: &high) ?? -1
            #expect(abs(bottom - 0.8 * d) < 1e-9 * d, "attempt \(n): \(bottom)")
            #expect(top <= 1.2 * d + 1e-9 * d && top > 1.19 * d, "attempt \(n): \(top)")
        }
        var system = SystemRandomNumberGenerator()
        var seen = Set<Double>()
        for _ in 0..<2000 {
            let wait = policy.delay(afterAttempt: 2, retryAfter: nil, using: &system) ?? -1
            #expect(wait >= 240 && wait <= 360)
            seen.insert(wait)
        }
        #expect(seen.count > 100)
        // An immediate attempt stays immediate; no jitter means the schedule exactly.
        #expect(policy.delay(afterAttempt: 0, retryAfter: nil, using: &high) == 0)
        var exact = WebhookRetryPolicy(schedule: [0, 7], jitter: 0)
        #expect(exact.delay(afterAttempt: 1, retryAfter: nil, using: &high) == 7)
        exact.jitter = 1
        #expect(exact.delay(afterAttempt: 1, retryAfter: nil, using: &low) == 0)
        #expect(exact.delay(afterAttempt: 2, retryAfter: nil, using: &low) == nil)
    }

    @Test("Retry-After lengthens a wait up to max_retry_after, never shortens it or adds attempts")
    func retryAfter() {
        var policy = WebhookRetryPolicy(schedule: [0, 5, 300], jitter: 0)
        #expect(policy.delay(afterAttempt: 1, retryAfter: 120) == 120)
        #expect(policy.delay(afterAttempt: 1, retryAfter: 2) == 5)
        #expect(policy.delay(afterAttempt: 2, retryAfter: 120) == 300)
        #expect(policy.delay(afterAttempt: 1, retryAfter: 86_400) == 3600)
        #expect(policy.delay(afterAttempt: 3, retryAfter: 10) == nil)
        for ignored in [-5.0, .nan, .infinity, 0] {
            #expect(policy.delay(afterAttempt: 1, retryAfter: ignored) == 5, "\(ignored)")
        }
        policy.maxRetryAfter = 60
        #expect(policy.delay(afterAttempt: 1, retryAfter: 120) == 60)
        policy.maxRetryAfter = 0
        #expect(policy.delay(afterAttempt: 1, retryAfter: 120) == 5)
        // With jitter, Retry-After is a floor on the jittered wait, not jittered itself.
        var low = FixedGenerator(value: 0)
        policy = WebhookRetryPolicy(schedule: [0, 100], jitter: 0.5)
        #expect(policy.delay(afterAttempt: 1, retryAfter: 70, using: &low) == 70)
        #expect(policy.delay(afterAttempt: 1, retryAfter: 10, using: &low) == 50)
    }

    @Test("Decodes from routes.yaml with units; rejects an empty schedule, bad jitter and unknown keys")
    func decoding() throws {
        let policy = try decode(WebhookRetryPolicy.self, "schedule: [0s, 10s, 1m, 2h]\njitter: 0.1\nmax_retry_after: 30m")
        #expect(policy.schedule.map(\.value) == [0, 10, 60, 7200])
        #expect(policy.jitter == 0.1)
        #expect(policy.maxRetryAfter.value == 1800)
        #expect(try decode(WebhookRetryPolicy.self, "jitter: 0") == WebhookRetryPolicy(schedule: WebhookRetryPolicy().schedule, jitter: 0))
        #expect(decodeError(WebhookRetryPolicy.self, "schedule: []")?.message.contains("at least one") == true)
        #expect(decodeError(WebhookRetryPolicy.self, "jitter: 1.5")?.message.contains("between 0 and 1") == true)
        #expect(decodeError(WebhookRetryPolicy.self, "jitter: -0.1") != nil)
        #expect(decodeError(WebhookRetryPolicy.self, "schedule: [5 parsecs]")?.message.contains("invalid duration") == true)
        #expect(decodeError(WebhookRetryPolicy.self, "scheduel: [1s]") != nil)
        #expect(WebhookRetryPolicy().configDescription.hasPrefix("schedule [0s, 5s, 300s"))
    }
}
