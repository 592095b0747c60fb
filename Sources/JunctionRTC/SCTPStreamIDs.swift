/// Stream ids in use on one association, shared by `createDataChannel`
/// (any thread) and the association's queue (incoming OPENs, closes).
///
/// RFC 8832 §6: the DTLS client opens channels on even ids, the server on
/// odd ones, so both can open at once without colliding. 65535 is reserved.
struct SCTPStreamIDs {
    /// Ids below this can be used: the streams we offer, lowered to the
    /// negotiated outbound count at COMM_UP.
    var limit: UInt16
    var inUse: Set<UInt16> = []
    /// The association is gone: nothing new opens.
    var isClosed = false

    init(limit: UInt16) {
        self.limit = limit
    }

    /// The lowest free id of our parity, marked in use.
    mutating func allocate(even: Bool) -> UInt16? {
        var candidate: UInt16 = even ? 0 : 1
        while candidate < limit, candidate < UInt16.max {
            if inUse.insert(candidate).inserted { return candidate }
            guard candidate <= UInt16.max - 2 else { return nil }
            candidate += 2
        }
        return nil
    }

    /// Marks `id` in use; false if it already is (or is the reserved 65535).
    mutating func claim(_ id: UInt16) -> Bool {
        id < UInt16.max && inUse.insert(id).inserted
    }

    mutating func release(_ id: UInt16) {
        inUse.remove(id)
    }
}

/// A channel as its association sees it: DCEP and stream-reset progress.
struct SCTPStream {
    let channel: DataChannel
    /// OPEN queued (in-band) or the channel opened (negotiated).
    var announced = false
    /// We sent OPEN and no ACK (or data) has come back yet.
    var awaitingAck = false
    /// Our outgoing side is queued for reset (we are closing).
    var resetRequested = false
    /// The peer acknowledged our outgoing reset.
    var outgoingReset = false
    /// The peer reset its outgoing side (our incoming).
    var incomingReset = false

    init(channel: DataChannel, announced: Bool = false) {
        self.channel = channel
        self.announced = announced
    }
}
