/// One HTTP request as a handler sees it: copied out of libwebsockets, so it
/// can be kept and moved across threads freely.
///
/// ```swift
/// server.mount("/v1/item/set") { request, responder in
///     guard request.method == "POST" else {
///         return responder.respond(status: 405, body: [])
///     }
///     let session = request.header("Cookie")
///     let limit = request.query["limit"].flatMap(Int.init) ?? 10
///     handle(request.body, session, limit)
///     responder.respond(status: 200, headers: [("Content-Type", "application/json")], body: Array("{}".utf8))
/// }
/// ```
public struct HTTPRequest: Sendable {
    /// The request method as sent (`GET`, `POST`, `PUT`, `PATCH`, `DELETE`, `OPTIONS`, `HEAD`).
    public let method: String
    /// The URL path, percent-decoded and normalised by libwebsockets, without the query.
    public let path: String
    /// Query arguments, percent-decoded; for a repeated name the last one wins.
    /// A bare `?flag` maps `flag` to `""`.
    public let query: [String: String]
    /// Request headers, looked up case-insensitively. Repeated headers are
    /// joined with `,` (cookies with `;`). Non-standard headers appear only if
    /// listed in ``HTTPServerConfig/extraHeaders``.
    public let headers: HTTPHeaders
    /// The whole request body (empty when there is none).
    public let body: [UInt8]

    /// Creates a request; the server does this, tests and plugins may too.
    ///
    /// ```swift
    /// let request = HTTPRequest(method: "GET", path: "/health")
    /// ```
    public init(
        method: String, path: String, query: [String: String] = [:],
        headers: HTTPHeaders = [:], body: [UInt8] = []
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// The value of header `name`, matched case-insensitively.
    ///
    /// ```swift
    /// let type = request.header("Content-Type")  // "application/json"
    /// ```
    public func header(_ name: String) -> String? {
        headers[name]
    }
}
