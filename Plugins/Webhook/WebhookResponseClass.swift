import JunctionNet

/// What one delivery attempt's outcome means for the message.
///
/// | outcome | class |
/// |---|---|
/// | 2xx | ``delivered`` |
/// | 408, 409, 425, 429, every 5xx | ``retry`` |
/// | 3xx (redirects are not followed, as in Svix; the endpoint may be moving) | ``retry`` |
/// | any other 4xx (400, 401, 403, 404, 410, 413, 422, …) | ``dead`` |
/// | any other status (1xx, outside 100–599) | ``retry`` |
/// | timeout, refused or lost connection, TLS failure | ``retry`` |
/// | client shut down or transfer cancelled (Junction stopping) | ``retry``: stays queued |
/// | a URL curl cannot use | ``dead`` |
///
/// ```swift
/// switch WebhookResponseClass(result) {
/// case .delivered: outbox.remove(message)
/// case .retry: schedule(message, retryAfter: response?.header("Retry-After"))
/// case .dead: deadLetter(message)
/// }
/// ```
public enum WebhookResponseClass: Sendable, Equatable, CustomStringConvertible {
    /// The endpoint took the message.
    case delivered
    /// A temporary failure: try again per the ``WebhookRetryPolicy``.
    case retry
    /// The endpoint refused the message for good: dead-letter it now.
    case dead

    /// The class of an HTTP status code.
    ///
    /// ```swift
    /// WebhookResponseClass(status: 204)   // .delivered
    /// WebhookResponseClass(status: 429)   // .retry
    /// WebhookResponseClass(status: 404)   // .dead
    /// ```
    public init(status: Int) {
        switch status {
        case 200...299: self = .delivered
        case 408, 409, 425, 429: self = .retry
        case 400...499: self = .dead
        default: self = .retry
        }
    }

    /// The class of a transfer error (no response at all).
    ///
    /// ```swift
    /// WebhookResponseClass(error: .timeout)              // .retry
    /// WebhookResponseClass(error: .invalidURL("ftp:"))  // .dead
    /// ```
    public init(error: HTTPClientError) {
        switch error {
        case .invalidURL: self = .dead
        case .connect, .timeout, .transfer, .cancelled, .shutdown: self = .retry
        }
    }

    /// The class of a whole attempt's outcome.
    ///
    /// ```swift
    /// client.send(request) { result in handle(WebhookResponseClass(result)) }
    /// ```
    public init(_ result: Result<HTTPClientResponse, HTTPClientError>) {
        switch result {
        case .success(let response): self.init(status: response.status)
        case .failure(let error): self.init(error: error)
        }
    }

    /// `delivered`, `retry` or `dead`.
    public var description: String {
        switch self {
        case .delivered: return "delivered"
        case .retry: return "retry"
        case .dead: return "dead"
        }
    }
}
