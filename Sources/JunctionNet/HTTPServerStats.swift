import Synchronization

/// Counters of one ``HTTPServer``, for `/metrics` and tests.
///
/// ```swift
/// let s = server.stats
/// print("requests \(s.requests), rejected \(s.rejected)")
/// ```
public struct HTTPServerStats: Sendable, Equatable {
    /// Requests whose headers were read.
    public var requests: Int
    /// Requests the server refused itself: bad or missing length (`400`, `411`), too large (`413`).
    public var rejected: Int
    /// Requests with no mounted handler (`404`).
    public var notFound: Int
    /// Clients that left before their response was written.
    public var clientsGone: Int
    /// Requests currently between their headers and the end of their response.
    public var inFlight: Int
}

/// The live counters behind ``HTTPServerStats``; written by the service thread.
final class HTTPServerCounters: Sendable {
    let requests = Atomic<Int>(0)
    let rejected = Atomic<Int>(0)
    let notFound = Atomic<Int>(0)
    let clientsGone = Atomic<Int>(0)
    let inFlight = Atomic<Int>(0)

    var snapshot: HTTPServerStats {
        HTTPServerStats(
            requests: requests.load(ordering: .relaxed),
            rejected: rejected.load(ordering: .relaxed),
            notFound: notFound.load(ordering: .relaxed),
            clientsGone: clientsGone.load(ordering: .relaxed),
            inFlight: inFlight.load(ordering: .relaxed)
        )
    }

    static func bump(_ counter: borrowing Atomic<Int>, by delta: Int = 1) {
        counter.wrappingAdd(delta, ordering: .relaxed)
    }
}
