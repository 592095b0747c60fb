/// The URLs a client may name as `webhook_url` or `upload_url`: each must
/// start with one of the configured prefixes (`rtm.allowed_urls`), so a
/// client cannot make Junction call an arbitrary address. With no prefixes
/// configured, no client-supplied URL is allowed.
///
/// ```swift
/// let policy = RTMURLPolicy(prefixes: ["https://hooks.example.com/", "http://127.0.0.1:9000/"])
/// policy.check("https://hooks.example.com/rec/1", field: "upload_url")   // nil: allowed
/// policy.check("https://evil.example/x", field: "upload_url")           // "upload_url https://evil.example/x is not …"
/// ```
public struct RTMURLPolicy: Sendable, Equatable {
    /// Allowed URL prefixes (scheme, host and port, and a path prefix).
    public let prefixes: [String]

    public init(prefixes: [String]) {
        self.prefixes = prefixes
    }

    /// `nil` when `url` is allowed; otherwise the message for the client.
    public func check(_ url: String, field: String) -> String? {
        let lower = url.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else {
            return "\(field) must be an http:// or https:// URL"
        }
        guard !url.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }) else {
            return "\(field) must not hold spaces or control characters"
        }
        guard prefixes.contains(where: { Self.matches(url, prefix: $0) }) else {
            return "\(field) \(url) is not under one of the allowed URL prefixes (rtm.allowed_urls)"
        }
        return nil
    }

    /// Scheme and host compare without case; the rest exactly. A prefix that
    /// ends inside the authority must end there in the URL too, so
    /// `https://a.example` does not allow `https://a.example.evil.net/`.
    static func matches(_ url: String, prefix: String) -> Bool {
        guard url.count >= prefix.count else { return false }
        let head = url.prefix(prefix.count)
        guard let schemeEnd = prefix.range(of: "://") else { return false }
        let authorityStart = schemeEnd.upperBound
        let authorityEnd = prefix[authorityStart...].firstIndex(of: "/") ?? prefix.endIndex
        let prefixAuthorityAndScheme = prefix[..<authorityEnd]
        let headAuthorityAndScheme = head.prefix(prefixAuthorityAndScheme.count)
        guard headAuthorityAndScheme.lowercased() == prefixAuthorityAndScheme.lowercased() else { return false }
        guard head.dropFirst(prefixAuthorityAndScheme.count) == prefix[authorityEnd...] else { return false }
        if authorityEnd == prefix.endIndex {
            // The prefix is scheme://host[:port]: the URL's authority must end right there.
            let rest = url.dropFirst(prefix.count)
            return rest.isEmpty || rest.first == "/" || rest.first == "?" || rest.first == "#"
        }
        return true
    }
}
