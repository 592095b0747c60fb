/// Why an ``HTTPClient`` transfer produced no response. The strings carry
/// curl's own error text.
///
/// ```swift
/// do {
///     _ = try await client.send(request)
/// } catch .timeout {
///     retryLater()
/// } catch {
///     logger.warning("request failed: \(error)")
/// }
/// ```
public enum HTTPClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The URL could not be parsed, or its scheme is not `http` or `https`.
    case invalidURL(String)
    /// No connection: the host did not resolve, refused, or TLS failed.
    case connect(String)
    /// The connect timeout or the whole-transfer timeout passed.
    case timeout
    /// ``HTTPClientTask/cancel()`` was called before the transfer completed.
    case cancelled
    /// The transfer failed after it started (connection lost, bad response, …),
    /// or the client could not be set up.
    case transfer(String)
    /// The client was shut down (or released) before the transfer completed.
    case shutdown

    /// A one-line explanation.
    ///
    /// ```swift
    /// print(HTTPClientError.timeout)  // "HTTP request timed out"
    /// ```
    public var description: String {
        switch self {
        case .invalidURL(let text): return "invalid URL: \(text)"
        case .connect(let text): return "could not connect: \(text)"
        case .timeout: return "HTTP request timed out"
        case .cancelled: return "HTTP request cancelled"
        case .transfer(let text): return "HTTP transfer failed: \(text)"
        case .shutdown: return "HTTP client shut down"
        }
    }
}
