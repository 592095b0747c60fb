import Foundation
import JunctionNet
import JunctionRTC

/// Checks an HTTP source's requests: a bearer token, or a Standard Webhooks
/// signature, or nothing; compared in constant time either way.
struct HTTPSourceAuthenticator: Sendable {
    private enum Rule: Sendable {
        case open
        case bearer([UInt8])
        case signed(StandardWebhookSecret, tolerance: Double)
    }

    private let rule: Rule

    init(config: HTTPSourceConfig) throws {
        if let token = config.token {
            rule = .bearer(Array(token.utf8))
        } else if let secret = config.secret {
            rule = .signed(try StandardWebhookSecret(secret), tolerance: config.tolerance.value)
        } else {
            rule = .open
        }
    }

    /// The request header holding a secret this source checks, kept out of
    /// message metadata so that it never travels on (`authorization` for tokens).
    var credentialHeader: String? {
        if case .bearer = rule { return "authorization" }
        return nil
    }

    /// Headers of a `401`: how to authenticate.
    var challenge: [(String, String)] {
        if case .bearer = rule { return [("WWW-Authenticate", "Bearer")] }
        return []
    }

    /// Why the request may not deliver, or nil when it may. Never echoes a secret.
    func check(_ request: HTTPRequest, now: Date = Date()) -> String? {
        switch rule {
        case .open:
            return nil
        case .bearer(let token):
            guard let header = request.header("authorization") else { return "missing Authorization: Bearer token" }
            let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
            guard parts.count == 2, parts[0].lowercased() == "bearer",
                  HMAC.equal(Array(parts[1].utf8), token)
            else { return "invalid bearer token" }
            return nil
        case .signed(let secret, let tolerance):
            do {
                _ = try secret.verify(header: request.header, body: request.body, now: now, tolerance: tolerance)
                return nil
            } catch {
                return "invalid webhook signature: \(error)"
            }
        }
    }
}
