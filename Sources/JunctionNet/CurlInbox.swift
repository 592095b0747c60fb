import CCurl
import Synchronization

/// The locked hand-off from any thread to the curl thread.
///
/// Senders append under the lock and, if no wake-up is outstanding, call
/// `curl_multi_wakeup` (the one curl call made off the curl thread; curl
/// documents it as safe from any thread). A wake-up sent while the curl
/// thread is busy makes its next `curl_multi_poll` return at once, so none
/// is lost. The multi handle lives as long as the process.
final class CurlInbox: Sendable {
    private struct State {
        var commands: [CurlCommand] = []
        var wakePending = false
        /// The `CURLM *` as a bit pattern (keeps `State` Sendable); 0 until attached.
        var multi: UInt = 0
    }

    private let state = Mutex(State())

    /// Queues `command` for the curl thread and wakes it.
    func send(_ command: CurlCommand) {
        state.withLock { s in
            s.commands.append(command)
            guard !s.wakePending, let multi = UnsafeMutableRawPointer(bitPattern: s.multi) else { return }
            s.wakePending = true
            curl_multi_wakeup(multi)
        }
    }

    /// Curl thread: takes every queued command, leaving `buffer`'s old storage for the next senders.
    func drain(into buffer: inout [CurlCommand]) {
        state.withLock { s in
            swap(&s.commands, &buffer)
            s.wakePending = false
        }
    }

    /// Curl thread, once the multi handle exists.
    func attach(multi: UnsafeMutableRawPointer) {
        state.withLock { $0.multi = UInt(bitPattern: multi) }
    }
}
