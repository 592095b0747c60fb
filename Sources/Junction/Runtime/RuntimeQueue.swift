import Dispatch

/// The serial queues of route runners and sink drivers, and where their
/// drain passes run.
///
/// A drain pass asked for from outside the runtime (a network thread, a
/// source's own queue) may run right there, on the asking thread, through
/// `DispatchQueue.sync`: on an idle serial queue that runs the block on the
/// caller's thread with the queue's exclusivity, so the message skips a
/// thread wake-up and the queue is still the only place its state changes.
/// A route's pass runs inline only when asked for from outside the runtime's
/// queues, a sink's pass also from a route's queue (a route without stages
/// hands its batches straight on); asked for from a sink's queue, a pass
/// always goes `async`. Waits go one way only, thread → route → sink, and a
/// sink never waits on anything, so no two queues can wait on each other.
/// A pass that runs on a borrowed thread does a bounded amount of work
/// (``inlineBatches``) and leaves the rest to an `async` pass, so a busy
/// route cannot hold a network thread.
///
/// ```swift
/// let queue = RuntimeQueue.make(label: "junction.route.chat", kind: .route)
/// RuntimeQueue.run(on: queue, kind: .route, inline: stages.isEmpty) { budget in drain(budget: budget) }
/// ```
enum RuntimeQueue {
    /// Whose queue it is.
    enum Kind { case route, sink }

    private static let key = DispatchSpecificKey<Kind>()

    /// A serial queue marked as one of the runtime's.
    static func make(label: String, kind: Kind) -> DispatchQueue {
        let queue = DispatchQueue(label: label)
        queue.setSpecific(key: key, value: kind)
        return queue
    }

    /// The kind of runtime queue the calling code runs on, if any.
    static var current: Kind? { DispatchQueue.getSpecific(key: key) }

    /// Batches one pass may take on a borrowed thread.
    static let inlineBatches = 8

    /// Runs `work` on `queue` (of `kind`): on this thread now when `inline`
    /// and the caller may wait for it (see above), otherwise `async`. `work`
    /// gets the number of batches it may take: ``inlineBatches`` on a
    /// borrowed thread, unbounded on the queue's own.
    static func run(on queue: DispatchQueue, kind: Kind, inline: Bool, _ work: @escaping @Sendable (_ budget: Int) -> Void) {
        let caller = current
        if inline, caller == nil || (kind == .sink && caller == .route) {
            queue.sync { work(inlineBatches) }
        } else {
            queue.async { work(.max) }
        }
    }
}
