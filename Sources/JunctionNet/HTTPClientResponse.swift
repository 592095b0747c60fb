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
    /// Parsed from the received lines on each use: keep the result when reading many.
    public var headers: [String: String] {
        switch storedHeaders {
        case .parsed(let headers): return headers
        case .lines(let lines): return lines.dictionary
        }
    }
    private let storedHeaders: StoredHeaders

    private enum StoredHeaders: Sendable {
        case parsed([String: String])
        case lines(HTTPHeaderLines)
    }
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
        self.storedHeaders = .parsed(headers)
        self.body = body
        self.newConnections = newConnections
    }

    /// A response whose headers stay as received until read.
    init(status: Int, headerLines: HTTPHeaderLines, body: [UInt8], newConnections: Int) {
        self.status = status
        self.storedHeaders = .lines(headerLines)
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
