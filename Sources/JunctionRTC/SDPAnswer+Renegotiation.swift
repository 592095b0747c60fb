extension SDPAnswer {
    /// The answer to a later offer on a connection that already has one
    /// (renegotiation, RFC 8829 §5.3.2): what the peer may change without
    /// tearing the data channels down.
    ///
    /// - Sections the peer added (audio, video, a second application
    ///   section) are declined with port 0, as in a first answer.
    /// - New ICE credentials in the offer are an ICE restart (RFC 8445 §9):
    ///   the answer carries `restartCredentials` instead of the old ones.
    /// - The `o=` version goes up by one; session id, candidates, SCTP port
    ///   and fingerprint stay.
    /// - `a=setup:actpass` keeps the DTLS role we have.
    ///
    /// Refused with ``SDPError`` when the offer drops or moves the
    /// data-channel section, changes the peer's DTLS fingerprints, its role
    /// or its SCTP port: those need a new connection.
    ///
    /// ```swift
    /// let later = try SDPAnswer(renegotiating: try SDPOffer(parsing: text), previous: pc.answer,
    ///                           restartCredentials: try ICECredentials.random())
    /// if later.restartsICE(after: pc.answer) { agent.restart(local: later.local.credentials, remoteUfrag: later.remote.credentials?.ufrag) }
    /// ```
    public init(renegotiating offer: SDPOffer, previous: SDPAnswer, restartCredentials: ICECredentials) throws(SDPError) {
        let before = previous.remote
        guard let remote = offer.dataChannel else {
            throw SDPError(.missing, "the offer has no usable data-channel section any more; closing the data channels takes a new session")
        }
        guard remote.mid == before.mid else {
            throw SDPError(.unsupported, line: remote.line, "the data-channel section's mid changed (\(before.mid ?? "none") → \(remote.mid ?? "none")); that takes a new session")
        }
        guard let credentials = remote.credentials else {
            throw SDPError(.missing, line: remote.line, "the data-channel section has no a=ice-ufrag and a=ice-pwd (here or at session level)")
        }
        guard Set(remote.fingerprints) == Set(before.fingerprints) else {
            throw SDPError(.unsupported, line: remote.line, "the DTLS fingerprint changed; a new certificate takes a new session")
        }
        guard remote.remoteSCTPPort == before.remoteSCTPPort else {
            throw SDPError(.unsupported, line: remote.line, "the SCTP port changed (\(before.remoteSCTPPort) → \(remote.remoteSCTPPort)); that takes a new session")
        }
        let offered = remote.setup ?? .actpass
        guard offered == .actpass || offered.answer == previous.setup else {
            throw SDPError(.unsupported, line: remote.line, "a=setup:\(offered.rawValue) would change the DTLS roles; that takes a new session")
        }
        var local = previous.local
        local.sessionVersion += 1
        if credentials != before.credentials { local.credentials = restartCredentials }
        self.init(offer: offer, local: local, live: remote, setup: previous.setup)
    }

    /// Whether this answer started an ICE restart after `previous`.
    public func restartsICE(after previous: SDPAnswer) -> Bool {
        local.credentials != previous.local.credentials
    }
}
