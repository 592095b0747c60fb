import Junction
import JunctionNet
import Metrics

/// What an HTTP source answers, in JSON, and the counts of each answer
/// (`junction_http_ingest_requests_total{component, status}`).
struct HTTPSourceAnswers: Sendable {
    private let retryAfter: Int
    private let counters: [Int: Counter]
    private static let statuses = [202, 401, 405, 422, 503]
    private static let json = ("Content-Type", "application/json")
    private static let acceptedBody = Array(#"{"status":"accepted"}"#.utf8)

    init(component: String, retryAfter: Int) {
        self.retryAfter = retryAfter
        var counters: [Int: Counter] = [:]
        for status in Self.statuses {
            counters[status] = Counter(label: "junction_http_ingest_requests_total", dimensions: [("component", component), ("status", String(status))])
        }
        self.counters = counters
    }

    /// Answers a request the pipeline is done with.
    func settle(_ answer: PendingAnswer, _ outcome: Receipt.Outcome) {
        switch outcome {
        case .accepted:
            if answer.respond(status: 202, headers: [Self.json], body: Self.acceptedBody) { count(202) }
        case .rejected(let reason):
            if answer.respond(status: 422, headers: [Self.json], body: Self.error(reason)) { count(422) }
        case .failed(let reason):
            unavailable(answer, reason)
        }
    }

    /// `503` with `Retry-After`: the sender should try again.
    func unavailable(_ answer: PendingAnswer, _ reason: String) {
        if answer.respond(status: 503, headers: [Self.json, ("Retry-After", String(retryAfter))], body: Self.error(reason)) { count(503) }
    }

    /// Answers a request that never became a message.
    func refuse(_ responder: HTTPResponder, _ status: Int, _ reason: String, headers: [(String, String)] = []) {
        responder.respond(status: status, headers: [Self.json] + headers, body: Self.error(reason))
        count(status)
    }

    private func count(_ status: Int) { counters[status]?.increment() }

    /// `{"error":"…"}`, as the server's own error answers.
    static func error(_ reason: String) -> [UInt8] { HTTPServerConfig.jsonErrorBody(0, reason) }
}
