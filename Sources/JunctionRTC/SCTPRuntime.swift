import CUsrsctp
import Dispatch
import Glibc
import Synchronization

/// Process-wide usrsctp state: `usrsctp_init` (once, behind a lock), the
/// stack's sysctls, and the token registry through which usrsctp's C
/// callbacks find an association.
///
/// usrsctp calls `conn_output` and the socket upcall on the thread that
/// fed it a packet *and* on its own timer thread, possibly after the
/// socket was closed (sctplab/usrsctp#405). So a callback never receives an
/// object pointer: it receives a small integer token, looks it up here
/// (a leaf lock held for one dictionary read, never across a usrsctp
/// call), copies what it needs and hops to the association's queue.
///
/// ```swift
/// SCTPRuntime.start()        // implied by SCTPAssociation.init
/// SCTPRuntime.shutdown()     // at process exit, after every association closed
/// ```
public enum SCTPRuntime {
    private static let started = Mutex(false)
    private static let registry = Mutex(Registry())

    /// Initialises usrsctp once per process (threaded: usrsctp runs its own
    /// timer thread) and applies the sysctls. Safe to call repeatedly.
    public static func start() {
        started.withLock { started in
            guard !started else { return }
            junction_usrsctp_init(sctpConnOutput)
            applySysctls()
            started = true
        }
    }

    /// Tears usrsctp down: `usrsctp_finish` until it reports no sockets
    /// left, sleeping 100 ms between attempts, at most `attempts` times.
    /// Returns whether it finished. Only for process exit (or a test that
    /// closed every association): usrsctp cannot be restarted safely.
    @discardableResult
    public static func shutdown(attempts: Int = 50) -> Bool {
        started.withLock { started in
            guard started else { return true }
            for _ in 0..<max(1, attempts) {
                if usrsctp_finish() == 0 {
                    started = false
                    return true
                }
                usleep(100_000)
            }
            return false
        }
    }

    /// The sysctls libdatachannel settled on (`SctpTransport::SetSettings`),
    /// as the research note lists them: PR-SCTP on, ECN off, 1 MiB socket
    /// buffers, congestion and timer defaults for WebRTC.
    private static let sysctls: [(set: @convention(c) (UInt32) -> Int32, value: UInt32)] = [
        (usrsctp_sysctl_set_sctp_pr_enable, 1),
        (usrsctp_sysctl_set_sctp_ecn_enable, 0),
        (usrsctp_sysctl_set_sctp_sendspace, 1 << 20),
        (usrsctp_sysctl_set_sctp_recvspace, 1 << 20),
        (usrsctp_sysctl_set_sctp_max_chunks_on_queue, 10 * 1_024),
        (usrsctp_sysctl_set_sctp_initial_cwnd, 10),
        (usrsctp_sysctl_set_sctp_max_burst_default, 10),
        (usrsctp_sysctl_set_sctp_default_cc_module, 0),
        (usrsctp_sysctl_set_sctp_delayed_sack_time_default, 20),
        (usrsctp_sysctl_set_sctp_rto_min_default, 200),
        (usrsctp_sysctl_set_sctp_rto_max_default, 10_000),
        (usrsctp_sysctl_set_sctp_rto_initial_default, 1_000),
        (usrsctp_sysctl_set_sctp_init_rto_max_default, 10_000),
        (usrsctp_sysctl_set_sctp_init_rtx_max_default, 5),
        (usrsctp_sysctl_set_sctp_assoc_rtx_max_default, 5),
        (usrsctp_sysctl_set_sctp_path_rtx_max_default, 5),
        (usrsctp_sysctl_set_sctp_heartbeat_interval_default, 10_000),
    ]

    private static func applySysctls() {
        for sysctl in sysctls { _ = sysctl.set(sysctl.value) }
    }

    // MARK: - Token registry

    /// What a callback may learn from a token: the queue to hop to and the
    /// association, if it still exists.
    final class Entry: Sendable {
        let queue: DispatchQueue
        weak let association: SCTPAssociation?

        init(queue: DispatchQueue, association: SCTPAssociation) {
            self.queue = queue
            self.association = association
        }
    }

    private struct Registry {
        var nextToken: UInt = 1
        var entries: [UInt: Entry] = [:]
    }

    /// A new token for `association`; tokens are never reused in a process.
    static func register(_ association: SCTPAssociation, queue: DispatchQueue) -> UInt {
        let entry = Entry(queue: queue, association: association)
        return registry.withLock { registry in
            let token = registry.nextToken
            registry.nextToken += 1
            registry.entries[token] = entry
            return token
        }
    }

    /// Forgets `token`: callbacks that still carry it find nothing.
    static func unregister(_ token: UInt) {
        _ = registry.withLock { $0.entries.removeValue(forKey: token) }
    }

    static func entry(for address: UnsafeMutableRawPointer?) -> Entry? {
        guard let address else { return nil }
        let token = UInt(bitPattern: address)
        return registry.withLock { $0.entries[token] }
    }

    /// The AF_CONN address usrsctp carries for `token` (never dereferenced).
    static func address(of token: UInt) -> UnsafeMutableRawPointer {
        // Tokens start at 1, so the bit pattern is never null.
        UnsafeMutableRawPointer(bitPattern: token)!
    }
}

/// usrsctp's `conn_output`: copy the packet, hop to the association's
/// queue, return at once. Never calls usrsctp, never blocks.
private let sctpConnOutput: junction_sctp_conn_output = { address, buffer, length, _, _ in
    guard let buffer, length > 0, let entry = SCTPRuntime.entry(for: address) else { return 0 }
    let packet = [UInt8](UnsafeRawBufferPointer(start: buffer, count: length))
    entry.queue.async { entry.association?.emit(packet: packet) }
    return 0
}

/// The socket upcall (readable, writable, error): note it and hop to the
/// association's queue, where `usrsctp_get_events` is read.
let sctpUpcall: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, Int32) -> Void = { _, argument, _ in
    guard let entry = SCTPRuntime.entry(for: argument), let association = entry.association else { return }
    association.scheduleUpcall(on: entry.queue)
}
