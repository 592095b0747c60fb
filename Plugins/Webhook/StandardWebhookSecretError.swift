/// Why a text is not a Standard Webhooks secret. Never quotes the text: it
/// may be most of a real secret with a typo.
///
/// ```swift
/// do { _ = try StandardWebhookSecret("whsec_") } catch { print(error) }
/// // "webhook secret is empty"
/// ```
public enum StandardWebhookSecretError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Nothing after the optional `whsec_` prefix, or base64 of zero bytes.
    case empty
    /// The part after the optional `whsec_` prefix is not standard base64.
    case invalidBase64

    /// A one-line explanation without the secret.
    ///
    /// ```swift
    /// print(StandardWebhookSecretError.invalidBase64)
    /// ```
    public var description: String {
        switch self {
        case .empty: return "webhook secret is empty"
        case .invalidBase64: return "webhook secret is not valid base64 (expected whsec_ followed by standard base64, or base64 alone)"
        }
    }
}
