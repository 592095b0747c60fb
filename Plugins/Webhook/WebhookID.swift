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
        for _ in 0..<randomLength { symbols.append(alphabet[Int(generator.next(upperBound: UInt8(32)))]) }
        return WebhookID(rawValue: String(decoding: symbols, as: UTF8.self))
    }

    /// The raw value.
    public var description: String { rawValue }
}
