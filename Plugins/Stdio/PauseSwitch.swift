import Foundation
import Junction

/// Flow control for a reader thread: `pause()` makes `waitWhilePaused()` block
/// until `resume()` or `stop()`, so a paused source really stops reading.
final class PauseSwitch: @unchecked Sendable {
    private let condition = NSCondition()
    private var paused = false
    private var stopped = false

    func pause() {
        condition.lock()
        paused = true
        condition.unlock()
    }

    func resume() {
        condition.lock()
        paused = false
        condition.broadcast()
        condition.unlock()
    }

    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    var isStopped: Bool { condition.withLock { stopped } }

    /// Blocks while paused; returns false once stopped.
    func waitWhilePaused() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while paused, !stopped { condition.wait() }
        return !stopped
    }

    /// Sleeps up to `seconds` or until stopped; returns false once stopped.
    func sleep(_ seconds: Double) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        if !stopped { _ = condition.wait(until: Date(timeIntervalSinceNow: seconds)) }
        return !stopped
    }
}

/// A dedicated thread for blocking writes (stdout, files): jobs run in order,
/// off Dispatch's worker pool.
final class BlockingWriter: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs = FIFO<() -> Void>()
    private var ending = false

    init(name: String) {
        let thread = Thread { [unowned self] in self.loop() }
        thread.name = name
        thread.start()
    }

    func submit(_ job: @escaping () -> Void) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Ends the thread after the jobs already submitted.
    func finish() {
        condition.lock()
        ending = true
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while jobs.isEmpty, !ending { condition.wait() }
            guard let job = jobs.popFirst() else {
                condition.unlock()
                return
            }
            condition.unlock()
            job()
        }
    }
}

/// Writes all of `bytes` to `fd`, retrying short writes and EINTR. Returns errno on failure.
func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Int32? {
    bytes.withUnsafeBytes { raw -> Int32? in
        var done = 0
        while done < raw.count {
            let n = write(fd, raw.baseAddress! + done, raw.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            done += n
        }
        return nil
    }
}
