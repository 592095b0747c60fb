import CUsrsctp
import Glibc

/// Sending: the outbox drains into `usrsctp_sendv` until usrsctp says
/// EAGAIN; the WRITE upcall (or SENDER_DRY) resumes it.
extension SCTPAssociation {
    /// Queues a channel's message (from any thread; `send()` already counted it).
    func enqueue(_ message: SCTPOutgoingMessage) {
        queue.async { [self] in
            guard socket != nil else { return }
            outbox.append(.message(message))
            flushOutbox()
        }
    }

    /// Hands queued messages to usrsctp in order, stopping at EAGAIN.
    /// Channels learn how many of their bytes left, in one event per flush.
    func flushOutbox() {
        guard lifecycle == .connected, let socket else { return }
        var sent: [UInt16: (channel: DataChannel, bytes: Int)] = [:]
        drain: while let item = outbox.first {
            switch item {
            case .resetStream(let stream):
                outbox.removeFirst()
                pendingResets.append(stream)
            case .message(let message):
                let code = Self.send(message, on: socket)
                if SCTPError.isWouldBlock(code) { break drain }
                outbox.removeFirst()
                if let channel = message.channel {
                    sent[message.stream, default: (channel, 0)].bytes += message.bufferedBytes
                    if code != 0 {
                        count(\.sendFailures)
                        channel.report(.sendFailed(SCTPError(function: "usrsctp_sendv", code: code)))
                    }
                }
            }
        }
        for (channel, bytes) in sent.values where bytes > 0 { channel.didTransmit(bytes) }
        requestPendingResets()
    }

    /// One `usrsctp_sendv` with SNDINFO and PRINFO; 0 or the errno.
    private static func send(_ message: SCTPOutgoingMessage, on socket: OpaquePointer) -> Int32 {
        let policy: (UInt16, UInt32)
        switch message.reliability {
        case .reliable: policy = (UInt16(SCTP_PR_SCTP_NONE), 0)
        case .maxRetransmits(let count): policy = (UInt16(SCTP_PR_SCTP_RTX), UInt32(count))
        case .maxPacketLifeTime(let milliseconds): policy = (UInt16(SCTP_PR_SCTP_TTL), UInt32(milliseconds))
        }
        let status = message.payload.withUnsafeBytes {
            junction_usrsctp_sendv_spa(
                socket, $0.baseAddress, $0.count, message.stream, message.ppid.rawValue, message.unordered ? 1 : 0, policy.0, policy.1
            )
        }
        return status < 0 ? errno : 0
    }

    /// Asks usrsctp to reset the outgoing side of every stream waiting for
    /// it; usrsctp sends the request once their data is out. A refusal
    /// that may pass (one request already outstanding) is retried on the
    /// next flush or reset event; any other closes those channels here.
    func requestPendingResets() {
        guard !pendingResets.isEmpty, lifecycle == .connected, let socket else { return }
        let status = pendingResets.withUnsafeBufferPointer {
            junction_usrsctp_reset_outgoing_streams(socket, $0.baseAddress, UInt16($0.count))
        }
        let code = status < 0 ? errno : 0
        guard code == 0 || !(SCTPError.isWouldBlock(code) || code == EALREADY || code == EBUSY) else { return }
        let streams = pendingResets
        pendingResets.removeAll()
        if code != 0 {
            for stream in streams { finishClose(stream) }
        }
    }
}
