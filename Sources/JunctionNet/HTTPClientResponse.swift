/// A whole response received by ``HTTPClient``. Any status is a response:
/// a `404` or `500` arrives here, not as an ``HTTPClientError``.
///
/// ```swift
/// let response = try await client.send(HTTPClientRequest(url: url))
/// if response.status == 200, response.header("Content-Type") == "application/json" {
///     decode(response.body)
/// }
/// ```
public struct HTTPClientResponse: Sendable {
    /// The HTTP status code of the final response (never a `1xx`).
    public let status: Int
    /// Response headers by lowercased name; repeated headers are joined with `", "`.
    public let headers: [String: String]
    /// The whole body.
    public let body: [UInt8]
    /// Connections this transfer had to open: `0` when it reused a kept-alive one.
    public let newConnections: Int

    /// Creates a response; the client does this, tests may too.
    ///
    /// ```swift
    /// let fake = HTTPClientResponse(status: 204, headers: [:], body: [])
    /// ```
    public init(status: Int, headers: [String: String], body: [UInt8], newConnections: Int = 0) {
        self.status = status
        self.headers = headers
        self.body = body
        self.newConnections = newConnections
    }

    /// The value of header `name`, matched case-insensitively.
    ///
    /// ```swift
    /// let length = response.header("Content-Length").flatMap(Int.init)
    /// ```
    public func header(_ name: String) -> String? {
        headers[name.lowercased()]
    }
}
