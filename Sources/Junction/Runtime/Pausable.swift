import Foundation

/// Something upstream of an edge that can be held back: a source, or a route runner.
///
/// Holds are counted: every full edge below adds one, every `bufferedamountlow`
/// removes one; the first hold pauses and the last release resumes.
///
/// Transitions reach `onPause`/`onResume` one at a time and in order, and the
/// last one delivered always matches the hold count: whichever thread changes
/// the count delivers, and a thread that finds another one delivering leaves
/// its change to it. No lock is held while a callback runs, so a callback may
/// call back into the gate (or emit) without deadlock.
final class FlowGate: @unchecked Sendable {
    private let lock = NSLock()
    private var holds = 0
    /// The state the callbacks last announced.
    private var announcedPaused = false
    /// Whether a thread is running the delivery loop.
    private var delivering = false
    private let onPause: @Sendable () -> Void
    private let onResume: @Sendable () -> Void

    init(onPause: @escaping @Sendable () -> Void, onResume: @escaping @Sendable () -> Void) {
        self.onPause = onPause
        self.onResume = onResume
    }

    var isHeld: Bool { lock.withLock { holds > 0 } }

    /// The state last announced (or being announced). What a consumer should
    /// wait on: a pause it sees here is always followed by a resume once the
    /// holds are gone, which `isHeld` does not promise (a hold released before
    /// it was announced brings neither).
    var isPaused: Bool { lock.withLock { announcedPaused } }

    func hold() {
        lock.withLock { holds += 1 }
        deliver()
    }

    func release() {
        lock.withLock { holds -= 1 }
        deliver()
    }

    /// Announces the current state until it stops changing; returns at once if
    /// another thread is already announcing (it will see this change).
    private func deliver() {
        let proceed: Bool = lock.withLock {
            if delivering { return false }
            delivering = true
            return true
        }
        guard proceed else { return }
        while true {
            let pause: Bool? = lock.withLock {
                let want = holds > 0
                guard want != announcedPaused else {
                    delivering = false
                    return nil
                }
                announcedPaused = want
                return want
            }
            guard let pause else { return }
            if pause { onPause() } else { onResume() }
        }
    }
}
