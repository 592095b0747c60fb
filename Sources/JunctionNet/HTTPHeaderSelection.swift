/// Which request headers a route's handler gets in ``HTTPRequest/headers``.
///
/// Copying every header out of libwebsockets is a measurable share of a
/// small request's cost; a handler that reads one or two headers can ask for
/// just those. Names are matched without regard to case.
///
/// ```swift
/// server.mount("/v1/item/set", inline: true, headers: .only(["cookie"])) { request, responder in
///     let session = request.header("cookie")
///     …
/// }
/// ```
public enum HTTPHeaderSelection: Sendable, Equatable {
    /// Every header libwebsockets parses, plus the server's configured extra ones.
    case all
    /// Only these (those a request carries).
    case only([String])
}
