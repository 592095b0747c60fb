import CUsrsctp
import Glibc

/// Reassembly state of the receive loop: data and notifications arrive in
/// pieces (MSG_EOR ends one) and are kept apart.
struct SCTPInbound {
    var data: [UInt8] = []
    var notification: [UInt8] = []
    /// The current message outgrew our max-message-size: drop it up to MSG_EOR.
    var discarding = false
    /// Messages sent with the deprecated partial PPIDs 52/54, per stream.
    var partial: [UInt16: [UInt8]] = [:]
}

/// Receiving: `usrsctp_recvv` until EAGAIN, whole messages to their
/// channels, notifications to the association.
extension SCTPAssociation {
    private static let notificationFlag = junction_sctp_msg_notification()

    /// Reads until usrsctp has nothing more, or until a channel that may
    /// not take more (paused, or holding too much) makes the association
    /// stop reading: the peer's window then fills and its sender slows.
    func drainReceive() {
        while !readStalled, let socket {
            var info = sctp_rcvinfo()
            var infoLength = socklen_t(MemoryLayout<sctp_rcvinfo>.size)
            var infoType: UInt32 = 0
            var flags: Int32 = 0
            let length = usrsctp_recvv(
                socket, receiveBuffer.baseAddress, receiveBuffer.count, nil, nil, &info, &infoLength, &infoType, &flags
            )
            // EAGAIN: drained. Anything else (ENOTCONN after an abort) also
            // ends the loop; the ASSOC_CHANGE notification says what happened.
            guard length > 0 else { return }
            let bytes = UnsafeRawBufferPointer(rebasing: receiveBuffer[..<length])
            let complete = flags & Int32(MSG_EOR) != 0
            if flags & Self.notificationFlag != 0 {
                inbound.notification.append(contentsOf: bytes)
                if complete {
                    let notification = inbound.notification
                    inbound.notification = []
                    handleNotification(notification)
                }
                continue
            }
            appendData(bytes)
            guard complete else { continue }
            let message = inbound.data
            inbound.data = []
            if inbound.discarding {
                inbound.discarding = false
                count(\.oversizedMessages)
            } else if infoType == UInt32(SCTP_RECVV_RCVINFO) {
                handleMessage(stream: info.rcv_sid, ppid: UInt32(bigEndian: info.rcv_ppid), bytes: message)
            } else {
                count(\.unroutableMessages)
            }
        }
    }

    private func appendData(_ bytes: UnsafeRawBufferPointer) {
        guard !inbound.discarding else { return }
        if inbound.data.count + bytes.count > configuration.receiveLimit {
            inbound.discarding = true
            inbound.data = []
        } else {
            inbound.data.append(contentsOf: bytes)
        }
    }

    /// Called from a channel (any thread) that can take messages again.
    func resumeReading() {
        queue.async { [self] in
            guard readStalled else { return }
            readStalled = streams.values.contains { $0.channel.blocksReading }
            if !readStalled { drainReceive() }
        }
    }

    // MARK: - Messages

    private func handleMessage(stream: UInt16, ppid: UInt32, bytes: [UInt8]) {
        guard let ppid = SCTPPayloadProtocol(rawValue: ppid) else {
            count(\.unroutableMessages)
            return
        }
        if ppid == .dcep {
            handleDCEP(stream: stream, bytes: bytes)
            return
        }
        guard let channel = openChannel(forDataOn: stream) else {
            count(\.unroutableMessages)
            return
        }
        let message: DataChannelMessage
        switch ppid {
        case .stringPartial, .binaryPartial:
            let held = inbound.partial[stream, default: []]
            if held.count + bytes.count > configuration.receiveLimit {
                inbound.partial[stream] = nil
                count(\.oversizedMessages)
            } else {
                inbound.partial[stream] = held + bytes
            }
            return
        case .string: message = .text(String(decoding: whole(stream, bytes), as: UTF8.self))
        case .binary: message = .binary(whole(stream, bytes))
        case .stringEmpty: message = .text("")
        case .binaryEmpty: message = .binary([])
        case .dcep: return
        }
        if !channel.receive(message) { readStalled = true }
    }

    /// `bytes` after whatever partial pieces (PPID 52/54) came before it.
    private func whole(_ stream: UInt16, _ bytes: [UInt8]) -> [UInt8] {
        guard let held = inbound.partial.removeValue(forKey: stream) else { return bytes }
        return held + bytes
    }

    // MARK: - Notifications

    private func handleNotification(_ bytes: [UInt8]) {
        let type = bytes.withUnsafeBytes { Int32(junction_sctp_notification_type($0.baseAddress, $0.count)) }
        switch type {
        case SCTP_ASSOC_CHANGE:
            var change = junction_sctp_assoc_change()
            guard bytes.withUnsafeBytes({ junction_sctp_parse_assoc_change($0.baseAddress, $0.count, &change) }) == 0 else { return }
            handleAssociationChange(change)
        case SCTP_STREAM_RESET_EVENT:
            var flags: UInt16 = 0
            var streams = [UInt16](repeating: 0, count: bytes.count / 2)
            let total = bytes.withUnsafeBytes { raw in
                streams.withUnsafeMutableBufferPointer {
                    junction_sctp_parse_stream_reset(raw.baseAddress, raw.count, &flags, $0.baseAddress, $0.count)
                }
            }
            guard total >= 0 else { return }
            handleStreamReset(flags: flags, streams: Array(streams.prefix(Int(total))))
        case SCTP_SENDER_DRY_EVENT:
            flushOutbox()
        default:
            break
        }
    }

    private func handleAssociationChange(_ change: junction_sctp_assoc_change) {
        switch Int32(change.state) {
        case SCTP_COMM_UP:
            guard lifecycle == .connecting else { return }
            outboundStreams = change.outbound_streams
            streamIDs.withLock { $0.limit = min($0.limit, change.outbound_streams) }
            setState(.connected)
            for stream in streams.keys.sorted() { announce(stream) }
            flushOutbox()
        case SCTP_COMM_LOST, SCTP_CANT_STR_ASSOC:
            terminate(.failed)
        case SCTP_SHUTDOWN_COMP:
            terminate(.closed)
        default:
            break  // SCTP_RESTART: the peer restarted; streams carry on.
        }
    }
}
