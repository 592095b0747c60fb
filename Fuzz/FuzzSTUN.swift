// libFuzzer target: the STUN path as an ICE-lite server sees a datagram.
// Built only by scripts/fuzz.sh (swiftc -sanitize=fuzzer), never by SwiftPM.
import JunctionRTC

/// RFC 5769's credentials: the §2.1 sample request is a check addressed to this agent.
private let local = try! ICECredentials(ufrag: "evtj", password: "VOkJxbRl1RmTxUk/WvJxBt")
private let source = STUNAddress(host: "192.0.2.1", port: 32_853)!

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSTUN(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let datagram = Array(UnsafeBufferPointer(start: data, count: size))
    _ = UDPPacketKind(datagram)
    var agent = ICELiteAgent(local: local, remoteUfrag: "h6vY")
    check(agent.handle(datagram, from: source, socket: 0, now: 1), answering: datagram)

    guard let packet = try? STUNPacket(bytes: datagram) else { return 0 }
    let message = packet.message
    _ = (packet.fingerprintIsValid, packet.integrityIsValid(key: local.integrityKey))
    _ = (message.type.description, message.username, message.priority, message.useCandidate, message.iceControlling)
    _ = (message.iceControlled, message.xorMappedAddress?.description, message.errorCode?.description)
    _ = message.unknownComprehensionRequired

    // Re-encode, signed with the agent's key: the decoder must take the
    // encoder's output back, and the signed copy gets past authentication,
    // so the agent's later checks (roles, nomination) are fuzzed too.
    guard let signed = try? message.encode(integrityKey: local.integrityKey, fingerprint: true) else { return 0 }
    let again: STUNPacket
    do {
        again = try STUNPacket(bytes: signed)
    } catch {
        fatalError("re-encoded message does not decode: \(error)")
    }
    expect(again.fingerprintIsValid && again.integrityIsValid(key: local.integrityKey), "re-encoded message does not verify")
    expect(again.message.type == message.type && again.message.transactionID == message.transactionID, "type or id changed")
    expect(payload(again.message) == payload(message), "attributes changed in a round trip")
    check(agent.handle(signed, from: source, socket: 1, now: 2), answering: signed)
    return 0
}

/// The attributes the encoder writes itself (integrity, fingerprint) left out.
private func payload(_ message: STUNMessage) -> [STUNAttribute] {
    message.attributes.filter {
        switch $0 {
        case .messageIntegrity, .fingerprint: return false
        default: return true
        }
    }
}

/// An answer must be a well-formed, fingerprinted response to the same transaction.
private func check(_ outcome: ICELiteAgent.Outcome, answering request: [UInt8]) {
    guard let reply = outcome.reply else { return }
    let packet: STUNPacket
    do {
        packet = try STUNPacket(bytes: reply)
    } catch {
        fatalError("the agent's reply does not decode: \(error)")
    }
    expect(packet.fingerprintIsValid, "reply without a valid FINGERPRINT")
    expect(packet.message.transactionID.bytes[...] == request[8..<20], "reply to another transaction")
    expect([.successResponse, .errorResponse].contains(packet.message.type.messageClass), "reply is not a response")
}
