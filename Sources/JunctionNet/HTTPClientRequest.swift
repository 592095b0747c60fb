/// One request for ``HTTPClient``.
///
/// `POST`, `PUT` and `PATCH` always send a body (`Content-Length: 0` when
/// `body` is empty); other methods send one only when `body` is not empty.
/// Without a `Content-Type` header a body goes out with none.
///
/// ```swift
/// let request = HTTPClientRequest(
///     method: "POST", url: "https://portal.example/v1/item/set",
///     headers: [("Content-Type", "application/json")],
///     body: Array(#"{"items":[]}"#.utf8),
///     timeout: 10)
/// ```
public struct HTTPClientRequest: Sendable {
    /// The method as sent (`GET`, `POST`, `PUT`, `PATCH`, `DELETE`, `HEAD`, …).
    public var method: String
    /// An absolute `http://` or `https://` URL.
    public var url: String
    /// Extra request headers, in order. A header curl sets itself
    /// (`User-Agent`, `Content-Type`, `Accept`) is replaced by one given here.
    public var headers: [(String, String)]
    /// The request body.
    public var body: [UInt8]
    /// Seconds the whole transfer may take, overriding
    /// ``HTTPClientConfig/requestTimeout``; `0` means no limit.
    public var timeout: Double?

    /// Creates a request.
    ///
    /// ```swift
    /// let get = HTTPClientRequest(url: "http://127.0.0.1:8080/health")
    /// ```
    public init(
        method: String = "GET", url: String, headers: [(String, String)] = [],
        body: [UInt8] = [], timeout: Double? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}
