import JunctionNet
import Synchronization

/// One request waiting for its answer: whoever answers first (the receipt, a
/// timeout, a shutdown) answers, and everyone after is ignored.
final class PendingAnswer: Sendable {
    private let responder: HTTPResponder
    private let answered = Atomic<Bool>(false)

    init(_ responder: HTTPResponder) { self.responder = responder }

    var isAnswered: Bool { answered.load(ordering: .acquiring) }

    /// Sends the answer if nobody has; returns whether this call did.
    @discardableResult
    func respond(status: Int, headers: [(String, String)], body: [UInt8]) -> Bool {
        guard !answered.exchange(true, ordering: .acquiringAndReleasing) else { return false }
        responder.respond(status: status, headers: headers, body: body)
        return true
    }
}
