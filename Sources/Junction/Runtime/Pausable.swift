import Foundation

/// Something upstream of an edge that can be held back: a source, or a route runner.
///
/// Holds are counted: every full edge below adds one, every `bufferedamountlow`
/// removes one; the first hold pauses and the last release resumes.
final class FlowGate: @unchecked Sendable {
    private let lock = NSLock()
    private var holds = 0
    private let onPause: @Sendable () -> Void
    private let onResume: @Sendable () -> Void

    init(onPause: @escaping @Sendable () -> Void, onResume: @escaping @Sendable () -> Void) {
        self.onPause = onPause
        self.onResume = onResume
    }

    var isHeld: Bool { lock.withLock { holds > 0 } }

    func hold() {
        let pause: Bool = lock.withLock {
            holds += 1
            return holds == 1
        }
        if pause { onPause() }
    }

    func release() {
        let resume: Bool = lock.withLock {
            holds -= 1
            return holds == 0
        }
        if resume { onResume() }
    }
}
