import CWebSockets
import Glibc
import Synchronization

/// The locked hand-off from any thread to the libwebsockets service thread.
///
/// Senders append under the lock and, if no wake-up is outstanding, call
/// `lws_cancel_service` (the one lws call that is safe from other threads);
/// the service thread drains everything at once on
/// `LWS_CALLBACK_EVENT_WAIT_CANCELLED`. The context pointer lives inside the
/// lock and is cleared before the context is destroyed, so no wake-up can
/// reach a freed context.
final class HTTPInbox: Sendable {
    private struct State {
        var commands: [HTTPCommand] = []
        var wakePending = false
        /// The `lws_context` as a bit pattern (keeps `State` Sendable); 0 when absent.
        var context: UInt = 0
    }

    private let state = Mutex(State())
    private let stopFlag = Atomic<Bool>(false)
    private let inlineRunning = Atomic<Bool>(false)
    private let serviceThread = Atomic<UInt>(0)

    /// Set by the service thread around work it runs itself (an inline
    /// handler, the hand-off of a pass's WebSocket messages): what that work
    /// sends synchronously from the service thread is drained right after it
    /// returns, so it needs no wake-up. Sends from other threads meanwhile
    /// still wake the loop.
    var inlineWorkRunning: Bool {
        get { inlineRunning.load(ordering: .relaxed) }
        set { inlineRunning.store(newValue, ordering: .relaxed) }
    }

    private var onInlineWork: Bool {
        inlineWorkRunning && serviceThread.load(ordering: .relaxed) == UInt(pthread_self())
    }

    init() {
        state.withLock { $0.commands.reserveCapacity(256) }
    }

    /// Queues `command` for the service thread. Dropped once the server stopped.
    func send(_ command: HTTPCommand) {
        state.withLock { s in
            guard let context = OpaquePointer(bitPattern: s.context) else { return }
            s.commands.append(command)
            if !s.wakePending && !onInlineWork {
                s.wakePending = true
                lws_cancel_service(context)
            }
        }
    }

    /// Service thread: takes every queued command, leaving `buffer`'s old
    /// storage behind for the next senders.
    func drain(into buffer: inout [HTTPCommand]) {
        state.withLock { s in
            swap(&s.commands, &buffer)
            s.wakePending = false
        }
    }

    /// Service thread, right after the context exists.
    func attach(context: OpaquePointer) {
        serviceThread.store(UInt(pthread_self()), ordering: .relaxed)
        state.withLock { $0.context = UInt(bitPattern: Int(bitPattern: context)) }
    }

    /// Service thread, right before the context is destroyed.
    func detach() {
        state.withLock { s in
            s.context = 0
            s.commands.removeAll()
        }
    }

    /// Asks the service loop to end and wakes it.
    func requestStop() {
        stopFlag.store(true, ordering: .releasing)
        state.withLock { s in
            if let context = OpaquePointer(bitPattern: s.context) { lws_cancel_service(context) }
        }
    }

    var stopRequested: Bool {
        stopFlag.load(ordering: .acquiring)
    }
}
