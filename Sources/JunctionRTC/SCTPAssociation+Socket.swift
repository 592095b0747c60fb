import CUsrsctp
import Glibc

/// The socket and its options, as the research note's §4 lists them
/// (after libdatachannel's `SctpTransport`).
extension SCTPAssociation {
    /// Path MTU for SCTP packets: usrsctp does no PMTU discovery, and DTLS
    /// plus UDP over IPv6 must still fit in 1280 bytes.
    static let pathMTU: UInt32 = 1_172

    /// A one-to-one AF_CONN socket with the upcall API (no receive
    /// callback: usrsctp#537), configured and bound to our port.
    func openSocket() throws(SCTPError) -> OpaquePointer {
        guard let socket = usrsctp_socket(AF_CONN, Int32(SOCK_STREAM.rawValue), Int32(IPPROTO_SCTP), nil, nil, 0, nil) else {
            throw .capture("usrsctp_socket")
        }
        do throws(SCTPError) {
            try configure(socket)
            var address = connAddress(port: configuration.localPort)
            let status = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    usrsctp_bind(socket, $0, socklen_t(MemoryLayout<sockaddr_conn>.size))
                }
            }
            guard status == 0 else { throw SCTPError.capture("usrsctp_bind") }
        } catch {
            usrsctp_close(socket)
            throw error
        }
        return socket
    }

    private func configure(_ socket: OpaquePointer) throws(SCTPError) {
        guard usrsctp_set_upcall(socket, sctpUpcall, SCTPRuntime.address(of: token)) == 0 else {
            throw .capture("usrsctp_set_upcall")
        }
        guard usrsctp_set_non_blocking(socket, 1) == 0 else { throw .capture("usrsctp_set_non_blocking") }

        // close() aborts instead of lingering in SHUTDOWN.
        try setOption(socket, SOL_SOCKET, SO_LINGER, linger(l_onoff: 1, l_linger: 0), "SO_LINGER")

        let sctp = Int32(IPPROTO_SCTP)
        let allAssociations = sctp_assoc_t(SCTP_ALL_ASSOC)
        let resetRequests = sctp_assoc_value(assoc_id: allAssociations, assoc_value: UInt32(SCTP_ENABLE_RESET_STREAM_REQ))
        try setOption(socket, sctp, SCTP_ENABLE_STREAM_RESET, resetRequests, "SCTP_ENABLE_STREAM_RESET")
        try setOption(socket, sctp, SCTP_RECVRCVINFO, Int32(1), "SCTP_RECVRCVINFO")
        for event in [SCTP_ASSOC_CHANGE, SCTP_SENDER_DRY_EVENT, SCTP_STREAM_RESET_EVENT] {
            let subscription = sctp_event(se_assoc_id: allAssociations, se_type: UInt16(event), se_on: 1)
            try setOption(socket, sctp, SCTP_EVENT, subscription, "SCTP_EVENT")
        }
        // RFC 8831 §6.6: no Nagle.
        try setOption(socket, sctp, SCTP_NODELAY, Int32(1), "SCTP_NODELAY")

        var path = sctp_paddrparams()
        path.spp_flags = UInt32(SPP_HB_ENABLE | SPP_PMTUD_DISABLE)
        path.spp_pathmtu = Self.pathMTU
        try setOption(socket, sctp, SCTP_PEER_ADDR_PARAMS, path, "SCTP_PEER_ADDR_PARAMS")

        let streams = configuration.streams
        let initMessage = sctp_initmsg(sinit_num_ostreams: streams, sinit_max_instreams: streams, sinit_max_attempts: 0, sinit_max_init_timeo: 0)
        try setOption(socket, sctp, SCTP_INITMSG, initMessage, "SCTP_INITMSG")
        try setOption(socket, sctp, SCTP_FRAGMENT_INTERLEAVE, Int32(0), "SCTP_FRAGMENT_INTERLEAVE")

        // Whole messages go in one usrsctp_sendv (no SCTP_EXPLICIT_EOR), so
        // the buffers must hold the largest one.
        let largest = max(configuration.localMaxMessageSize, configuration.remoteMaxMessageSize)
        let buffer = Int32(clamping: max(configuration.socketBufferSize, largest))
        try setOption(socket, SOL_SOCKET, SO_SNDBUF, buffer, "SO_SNDBUF")
        try setOption(socket, SOL_SOCKET, SO_RCVBUF, buffer, "SO_RCVBUF")
    }

    private func setOption<Value>(_ socket: OpaquePointer, _ level: Int32, _ name: Int32, _ value: Value, _ label: String) throws(SCTPError) {
        var value = value
        let status = withUnsafePointer(to: &value) {
            usrsctp_setsockopt(socket, level, name, $0, socklen_t(MemoryLayout<Value>.size))
        }
        guard status == 0 else { throw .capture("usrsctp_setsockopt(\(label))") }
    }
}
