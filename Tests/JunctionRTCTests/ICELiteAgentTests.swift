import Dispatch
import Foundation
import Testing
@testable import JunctionRTC

@Suite("ICE-lite agent")
struct ICELiteAgentTests {
    static let ours = try! ICECredentials(ufrag: "ourUfrag0123", password: "ourPassword0123456789abcdef")
    static let theirs = try! ICECredentials(ufrag: "peer", password: "peerPassword0123456789ab")
    static let source = STUNAddress(host: "127.0.0.1", port: 50_123)!
    static let second = STUNAddress(host: "127.0.0.1", port: 50_999)!

    /// A connectivity check as aioice sends it (controlling side).
    static func check(
        username: String = "ourUfrag0123:peer", key: [UInt8]? = ours.integrityKey,
        useCandidate: Bool = false, controlled: Bool = false, extra: [STUNAttribute] = []
    ) throws -> [UInt8] {
        var attributes: [STUNAttribute] = [.username(username), .priority(1_853_824_767)]
        attributes.append(controlled ? .iceControlled(tieBreaker: 42) : .iceControlling(tieBreaker: 42))
        if useCandidate { attributes.append(.useCandidate) }
        attributes += extra
        return try STUNMessage.bindingRequest(transactionID: .random(), attributes: attributes)
            .encode(integrityKey: key, fingerprint: true)
    }

    static func decode(_ reply: [UInt8]?) throws -> STUNPacket {
        let reply = try #require(reply)
        let packet = try STUNPacket(bytes: reply)
        #expect(packet.fingerprintIsValid)
        return packet
    }

    @Test("An authenticated check is answered with the source address, signed with our password")
    func answersCheck() throws {
        var agent = ICELiteAgent(local: Self.ours, remoteUfrag: "peer")
        let request = try Self.check()
        let outcome = agent.handle(request, from: Self.source, socket: 0, now: 1)
        #expect(outcome.problem == nil)
        #expect(!outcome.nominatedNow)
        let answer = try Self.decode(outcome.reply)
        #expect(answer.message.type == .bindingSuccess)
        #expect(answer.message.transactionID == (try STUNPacket(bytes: request)).message.transactionID)
        #expect(answer.message.xorMappedAddress == Self.source)
        #expect(answer.integrityIsValid(key: Self.ours.integrityKey))
        #expect(!answer.integrityIsValid(key: Self.theirs.integrityKey))
        #expect(agent.state == .checking)
        #expect(agent.selected == nil)
    }

    @Test("USE-CANDIDATE nominates; a later nomination of another address moves the pair")
    func nomination() throws {
        var agent = ICELiteAgent(local: Self.ours, remoteUfrag: "peer")
        var outcome = agent.handle(try Self.check(useCandidate: true), from: Self.source, socket: 1, now: 1)
        #expect(outcome.nominatedNow)
        #expect(agent.selected == ICELiteAgent.Pair(remote: Self.source, socket: 1))
        #expect(agent.state == .connected)
        outcome = agent.handle(try Self.check(useCandidate: true), from: Self.source, socket: 1, now: 2)
        #expect(!outcome.nominatedNow)
        outcome = agent.handle(try Self.check(useCandidate: true), from: Self.second, socket: 1, now: 3)
        #expect(outcome.nominatedNow)
        #expect(agent.selected?.remote == Self.second)
        #expect(agent.answered == 3)
    }

    @Test("Missing integrity is 400, wrong password or ufrag is 401, both unsigned")
    func authentication() throws {
        var agent = ICELiteAgent(local: Self.ours, remoteUfrag: "peer")
        for (request, code) in [
            (try Self.check(key: nil), 400),
            (try Self.check(key: Self.theirs.integrityKey), 401),
            (try Self.check(username: "someoneElse:peer"), 401),
            (try Self.check(username: "ourUfrag0123:stranger"), 401),
            (try Self.check(username: "nocolon"), 401),
        ] {
            let outcome = agent.handle(request, from: Self.source, socket: 0, now: 1)
            let answer = try Self.decode(outcome.reply)
            #expect(answer.message.type == .bindingError)
            #expect(answer.message.errorCode?.code == code)
            #expect(!answer.hasIntegrity)
            #expect(outcome.problem != nil)
        }
        #expect(agent.state == .new)
        #expect(agent.refused == 5)
    }

    @Test("A peer that is controlled too gets a signed 487; unknown required attributes a 420")
    func conflicts() throws {
        var agent = ICELiteAgent(local: Self.ours)
        var outcome = agent.handle(try Self.check(controlled: true), from: Self.source, socket: 0, now: 1)
        var answer = try Self.decode(outcome.reply)
        #expect(answer.message.errorCode?.code == 487)
        #expect(answer.integrityIsValid(key: Self.ours.integrityKey))
        let odd = try Self.check(extra: [.other(type: 0x7F01, value: [1, 2, 3, 4])])
        outcome = agent.handle(odd, from: Self.source, socket: 0, now: 1)
        answer = try Self.decode(outcome.reply)
        #expect(answer.message.errorCode?.code == 420)
        #expect(answer.message.attributes.contains(.unknownAttributes([0x7F01])))
        // Comprehension-optional ones (Chromium's GOOG-*) are ignored.
        let goog = try Self.check(extra: [.other(type: 0xC057, value: [0, 1, 0, 0])])
        outcome = agent.handle(goog, from: Self.source, socket: 0, now: 1)
        #expect(try Self.decode(outcome.reply).message.type == .bindingSuccess)
    }

    @Test("Garbage, bad fingerprints, responses and indications are dropped without an answer")
    func drops() throws {
        var agent = ICELiteAgent(local: Self.ours)
        var corrupted = try Self.check()
        corrupted[corrupted.count - 1] ^= 0xFF
        let response = try STUNMessage(type: .bindingSuccess, transactionID: .random(), attributes: []).encode()
        let indication = try STUNMessage(type: .bindingIndication, transactionID: .random(), attributes: []).encode()
        var rng = SplitMix64(state: 7)
        var noise: [[UInt8]] = [corrupted, response, [], [0, 1, 0, 0]]
        for _ in 0..<200 { noise.append((0..<Int(rng.next() % 64)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }) }
        for datagram in noise {
            let outcome = agent.handle(datagram, from: Self.source, socket: 0, now: 1)
            #expect(outcome.reply == nil)
        }
        let keepalive = agent.handle(indication, from: Self.source, socket: 0, now: 1)
        #expect(keepalive.reply == nil && keepalive.problem == nil)
        #expect(agent.state == .new)
    }

    @Test("Quiet peers go disconnected, then failed; a check in between brings the pair back")
    func liveness() throws {
        var agent = ICELiteAgent(local: Self.ours)
        var changed = agent.tick(now: 100_000_000_000)
        #expect(!changed)  // nothing heard yet: stays new
        _ = agent.handle(try Self.check(useCandidate: true), from: Self.source, socket: 0, now: 0)
        changed = agent.tick(now: 9_000_000_000)
        #expect(!changed)
        changed = agent.tick(now: 11_000_000_000)
        #expect(changed && agent.state == .disconnected)
        _ = agent.handle(try Self.check(), from: Self.source, socket: 0, now: 12_000_000_000)
        #expect(agent.state == .connected)
        changed = agent.tick(now: 43_000_000_000)
        #expect(changed && agent.state == .failed)
        changed = agent.tick(now: 50_000_000_000)
        #expect(!changed)
    }

    @Test("The first byte sorts STUN, DTLS and the rest (RFC 7983)")
    func demux() throws {
        #expect(UDPPacketKind(try Self.check()) == .stun)
        #expect(UDPPacketKind([0, 1, 0, 0]) == .other)  // too short for STUN
        #expect(UDPPacketKind([22, 254, 253] + [UInt8](repeating: 0, count: 10)) == .dtls)
        #expect(UDPPacketKind([128, 0]) == .rtp)
        #expect(UDPPacketKind([17]) == .other)
        #expect(UDPPacketKind([70]) == .other)
        #expect(UDPPacketKind([]) == .other)
    }

    @Test("After an ICE restart, old-credential checks are answered until the first new one; then refused")
    func restart() throws {
        var agent = ICELiteAgent(local: Self.ours, remoteUfrag: "peer")
        _ = agent.handle(try Self.check(useCandidate: true), from: Self.source, socket: 0, now: 1)
        let renewed = try ICECredentials(ufrag: "newUfrag4567", password: "newPassword0123456789abcdef")
        agent.restart(local: renewed, remoteUfrag: "peer2")
        #expect(agent.local == renewed)

        // The peer still checks the old pair with the old credentials: answered, signed with the old password.
        var outcome = agent.handle(try Self.check(), from: Self.source, socket: 0, now: 2)
        #expect(outcome.problem == nil)
        var answer = try Self.decode(outcome.reply)
        #expect(answer.message.type == .bindingSuccess)
        #expect(answer.integrityIsValid(key: Self.ours.integrityKey))

        // A mix of old and new parts is no one's credentials.
        outcome = agent.handle(try Self.check(username: "newUfrag4567:peer", key: renewed.integrityKey), from: Self.source, socket: 0, now: 3)
        #expect(outcome.problem != nil)

        // The first check with the new credentials: signed with the new password; the old ones end.
        outcome = agent.handle(try Self.check(username: "newUfrag4567:peer2", key: renewed.integrityKey), from: Self.source, socket: 0, now: 4)
        #expect(outcome.problem == nil)
        answer = try Self.decode(outcome.reply)
        #expect(answer.integrityIsValid(key: renewed.integrityKey))
        outcome = agent.handle(try Self.check(), from: Self.source, socket: 0, now: 5)
        #expect(try Self.decode(outcome.reply).message.type == .bindingError)
        #expect(agent.selected == ICELiteAgent.Pair(remote: Self.source, socket: 0))
    }
}

@Suite("UDP socket")
struct UDPSocketTests {
    @Test("Two sockets on loopback exchange datagrams; replies leave from the probed address")
    func roundTrip() async throws {
        let queue = DispatchQueue(label: "test.udp")
        let received = Mailbox<([UInt8], STUNAddress)>()
        let a = try UDPSocket(bindTo: "127.0.0.1", queue: queue) { datagram, source in received.put((datagram, source)) }
        let echoQueue = DispatchQueue(label: "test.udp.echo")
        var echo: UDPSocket?
        echo = try UDPSocket(bindTo: "127.0.0.1", queue: echoQueue) { datagram, source in
            echo?.send(datagram.reversed(), to: source)
        }
        a.start()
        echo?.start()
        let target = try #require(echo?.local)
        #expect(target.port != 0)
        for n in [1, 100, 1200, 9000] {
            let payload = (0..<n).map { UInt8(truncatingIfNeeded: $0) }
            #expect(a.send(payload, to: target))
            let (back, from) = try await received.take(timeout: 10)
            #expect(back == payload.reversed())
            #expect(from == target)
        }
        a.close()
        echo?.close()
        #expect(!a.send([1], to: target))
    }

    @Test("Addresses that are not numeric IPs, or not ours, are refused")
    func badAddresses() {
        let queue = DispatchQueue(label: "test.udp.bad")
        #expect(throws: UDPSocketError.badAddress("localhost")) { try UDPSocket(bindTo: "localhost", queue: queue) { _, _ in } }
        #expect(throws: UDPSocketError.self) { try UDPSocket(bindTo: "192.0.2.1", queue: queue) { _, _ in } }
    }
}

/// A thread-safe queue of values a test waits on.
final class Mailbox<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Value] = []

    func put(_ value: Value) { lock.withLock { values.append(value) } }

    func take(timeout seconds: Double) async throws -> Value {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let value = lock.withLock({ values.isEmpty ? nil : values.removeFirst() }) { return value }
            try await Task.sleep(nanoseconds: 2_000_000)
        }
        throw MailboxTimeout()
    }
}

struct MailboxTimeout: Error {}
