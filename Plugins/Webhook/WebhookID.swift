/// A Standard Webhooks message id: `msg_` and 26 characters of lowercase
/// Crockford base32 (130 random bits), so ids from separate processes do not
/// collide. One message keeps its id across every retry.
///
/// ```swift
/// let id = WebhookID.random()
/// print(id)            // msg_7g0k3q9x2m4h8r1v6t5w0zc3pa
/// ```
public struct WebhookID: Sendable, Hashable, CustomStringConvertible {
    /// The id as sent in `webhook-id`.
    public let rawValue: String

    /// The 32 symbols of Crockford's base32, lowercase (no i, l, o, u).
    static let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz".utf8)
    /// Characters after `msg_`.
    public static let randomLength = 26

    /// Wraps an id received or stored earlier.
    ///
    /// ```swift
    /// let id = WebhookID(rawValue: "msg_p5jXN8AQM9LWM0D4loKWxJek")
    /// ```
    public init(rawValue: String) { self.rawValue = rawValue }

    /// A new id from the system's secure generator.
    ///
    /// ```swift
    /// let request = try secret.headers(id: WebhookID.random().rawValue, timestamp: now, body: body)
    /// ```
    public static func random() -> WebhookID {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    /// A new id from `generator` (tests pass a seeded one).
    ///
    /// ```swift
    /// var g = SystemRandomNumberGenerator()
    /// let id = WebhookID.random(using: &g)
    /// ```
    public static func random(using generator: inout some RandomNumberGenerator) -> WebhookID {
        var symbols = Array("msg_".utf8)
        symbols.reserveCapacity(4 + randomLength)
        // Five bits a symbol, twelve symbols a draw: three draws an id.
        var bits: UInt64 = 0
        var left = 0
        for _ in 0..<randomLength {
            if left < 5 {
                bits = generator.next()
                left = 64
            }
            symbols.append(alphabet[Int(truncatingIfNeeded: bits & 31)])
            bits >>= 5
            left -= 5
        }
        return WebhookID(rawValue: String(decoding: symbols, as: UTF8.self))
    }

    /// A fast generator for ids, seeded once from the system's secure one
    /// (xoshiro256**): making an id then takes no system call. Not for secrets.
    ///
    /// ```swift
    /// var ids = WebhookID.Generator()
    /// let id = WebhookID.random(using: &ids)
    /// ```
    public struct Generator: RandomNumberGenerator, Sendable {
        private var s: (UInt64, UInt64, UInt64, UInt64)

        public init() {
            var seed = SystemRandomNumberGenerator()
            s = (seed.next(), seed.next(), seed.next(), seed.next())
            if s == (0, 0, 0, 0) { s.0 = 1 }
        }

        public mutating func next() -> UInt64 {
            let result = rotl(s.1 &* 5, 7) &* 9
            let t = s.1 << 17
            s.2 ^= s.0
            s.3 ^= s.1
            s.1 ^= s.2
            s.0 ^= s.3
            s.2 ^= t
            s.3 = rotl(s.3, 45)
            return result
        }

        private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
    }

    /// The raw value.
    public var description: String { rawValue }
}
