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
///
/// `start()` starts the thread. The thread holds only the job queue, never the
/// writer, so dropping the last reference to the writer ends the thread after
/// the jobs already submitted, like `finish()`.
final class BlockingWriter: @unchecked Sendable {
    /// The queue the thread works through; shared by the writer and its thread.
    private final class Jobs: @unchecked Sendable {
        let condition = NSCondition()
        var jobs = FIFO<() -> Void>()
        var ending = false

        func run() {
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

    private let jobs = Jobs()
    private let name: String
    private let startLock = NSLock()
    private var started = false  // under startLock

    init(name: String) { self.name = name }

    deinit { finish() }

    /// Starts the thread; later calls do nothing.
    func start() {
        let first: Bool = startLock.withLock {
            defer { started = true }
            return !started
        }
        guard first else { return }
        let jobs = self.jobs
        let thread = Thread { jobs.run() }
        thread.name = name
        thread.start()
    }

    /// Queues a job; it runs once the thread is started.
    func submit(_ job: @escaping () -> Void) {
        jobs.condition.lock()
        jobs.jobs.append(job)
        jobs.condition.signal()
        jobs.condition.unlock()
    }

    /// Ends the thread after the jobs already submitted.
    func finish() {
        jobs.condition.lock()
        jobs.ending = true
        jobs.condition.signal()
        jobs.condition.unlock()
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
