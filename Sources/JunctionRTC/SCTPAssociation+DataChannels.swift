import CUsrsctp

/// Data channels on the association: creation, DCEP (RFC 8832), and
/// closing by stream reset (RFC 8831 §6.7).
extension SCTPAssociation {
    /// A new channel, mirroring `RTCPeerConnection.createDataChannel`. It
    /// starts `connecting`; an in-band channel opens when the peer's ACK
    /// arrives, a negotiated one as soon as the association is up.
    ///
    /// Throws `invalidParameters` for options W3C rejects with a TypeError,
    /// `streamIDInUse`/`noStreamIDAvailable` when no id can be had, and
    /// `invalidState(.closed)` once the association is closed.
    public func createDataChannel(label: String, options: DataChannelOptions = DataChannelOptions()) throws(DataChannelError) -> DataChannel {
        let reliability = try options.validated(label: label)
        let even = configuration.isDTLSClient
        let id = try streamIDs.withLock { ids throws(DataChannelError) -> UInt16 in
            guard !ids.isClosed else { throw .invalidState(.closed) }
            if options.negotiated, let id = options.id {
                guard ids.claim(id) else { throw .streamIDInUse(id) }
                return id
            }
            guard let id = ids.allocate(even: even) else { throw .noStreamIDAvailable }
            return id
        }
        let channel = DataChannel(
            association: self, id: id, label: label, protocol: options.protocol, ordered: options.ordered,
            reliability: reliability, negotiated: options.negotiated, readyState: .connecting
        )
        queue.async { [self] in register(channel) }
        return channel
    }

    private func register(_ channel: DataChannel) {
        guard lifecycle != .closed, lifecycle != .failed else {
            channel.didClose()
            return
        }
        streams[channel.id] = SCTPStream(channel: channel)
        if lifecycle == .connected {
            announce(channel.id)
            flushOutbox()
        }
    }

    /// Once the association is up: OPEN for an in-band channel of ours, or
    /// open a negotiated one. An id beyond the negotiated streams fails.
    func announce(_ stream: UInt16) {
        guard var entry = streams[stream], !entry.announced else { return }
        let channel = entry.channel
        guard stream < outboundStreams else {
            channel.report(.streamIDOutOfRange(stream, streams: outboundStreams))
            finishClose(stream)
            return
        }
        entry.announced = true
        if channel.negotiated {
            streams[stream] = entry
            channel.didOpen()
            return
        }
        entry.awaitingAck = true
        streams[stream] = entry
        let open = DCEPOpen(
            channelType: DCEPChannelType(ordered: channel.ordered, reliability: channel.reliability),
            reliabilityParameter: channel.reliability.parameter, label: channel.label, protocol: channel.protocol
        )
        // The label and protocol were checked against the 65535-byte limit at creation.
        guard let bytes = try? DCEPMessage.open(open).encode() else { return }
        outbox.append(.message(.control(stream: stream, bytes)))
    }

    // MARK: - DCEP

    func handleDCEP(stream: UInt16, bytes: [UInt8]) {
        let message: DCEPMessage
        do {
            message = try DCEPMessage(bytes: bytes)
        } catch {
            count(\.malformedDCEP)
            return
        }
        switch message {
        case .open(let open): acceptOpen(stream: stream, open)
        case .ack: acceptAck(stream: stream)
        }
    }

    /// The peer opened a channel: create it, ACK, announce it (then `open`).
    /// An id of the wrong parity is accepted, as libdatachannel's authors
    /// would rather than close it; an id already in use is not.
    private func acceptOpen(stream: UInt16, _ open: DCEPOpen) {
        guard lifecycle == .connected, streams[stream] == nil, streamIDs.withLock({ $0.claim(stream) }) else {
            count(\.malformedDCEP)
            return
        }
        let channel = DataChannel(
            association: self, id: stream, label: open.label, protocol: open.protocol, ordered: open.ordered,
            reliability: open.reliability, negotiated: false, readyState: .open
        )
        streams[stream] = SCTPStream(channel: channel, announced: true)
        outbox.append(.message(.control(stream: stream, DCEPMessage.encodedAck)))
        flushOutbox()
        delegateQueue.async { [self] in shared.withLock { $0.onDataChannel }?(channel) }
        channel.announceOpen()
    }

    private func acceptAck(stream: UInt16) {
        guard var entry = streams[stream], entry.awaitingAck else { return }
        entry.awaitingAck = false
        streams[stream] = entry
        entry.channel.didOpen()
    }

    /// The channel for data on `stream`. Data before the ACK implies it
    /// (RFC 8832 §6: the peer may send at once, unordered data can overtake).
    func openChannel(forDataOn stream: UInt16) -> DataChannel? {
        guard var entry = streams[stream] else { return nil }
        if entry.awaitingAck {
            entry.awaitingAck = false
            streams[stream] = entry
            entry.channel.didOpen()
        }
        return entry.channel
    }

    // MARK: - Closing

    /// `DataChannel.close()`: reset our outgoing stream after the channel's
    /// queued messages; a channel that never reached the wire closes here.
    func closeStream(_ stream: UInt16) {
        queue.async { [self] in
            guard let entry = streams[stream] else { return }
            guard lifecycle == .connected, entry.announced else {
                finishClose(stream)
                return
            }
            requestReset(stream)
        }
    }

    private func requestReset(_ stream: UInt16) {
        guard var entry = streams[stream], !entry.resetRequested else { return }
        entry.resetRequested = true
        streams[stream] = entry
        entry.channel.beginClosing()
        outbox.append(.resetStream(stream))
        flushOutbox()
    }

    /// SCTP_STREAM_RESET_EVENT. The peer resetting its side (our incoming)
    /// makes us reset ours; the channel closes once both sides are reset.
    /// An empty list means every stream.
    func handleStreamReset(flags: UInt16, streams list: [UInt16]) {
        let incoming = Int32(flags) & SCTP_STREAM_RESET_INCOMING_SSN != 0
        let outgoing = Int32(flags) & SCTP_STREAM_RESET_OUTGOING_SSN != 0
        let refused = Int32(flags) & (SCTP_STREAM_RESET_DENIED | SCTP_STREAM_RESET_FAILED) != 0
        for stream in list.isEmpty ? Array(streams.keys) : list {
            guard var entry = streams[stream] else { continue }
            if incoming { entry.incomingReset = true }
            // A refused request is not retried: the channel closes on our side.
            if outgoing || (refused && entry.resetRequested) { entry.outgoingReset = true }
            streams[stream] = entry
            if entry.incomingReset, !entry.resetRequested {
                requestReset(stream)
            } else if entry.incomingReset || refused, entry.outgoingReset {
                finishClose(stream)
            }
        }
        flushOutbox()
    }

    /// Forgets the stream (its id becomes free again) and fires `close`.
    func finishClose(_ stream: UInt16) {
        guard let entry = streams.removeValue(forKey: stream) else { return }
        streamIDs.withLock { $0.release(stream) }
        inbound.partial[stream] = nil
        entry.channel.didClose()
        if readStalled { resumeReading() }
    }
}
