import Testing
@testable import JunctionRTC

@Suite("SCTP association over AF_CONN", .serialized)
struct SCTPAssociationTests {
    @Test("Both ends connect (simultaneous INIT) and agree on the limits")
    func comesUp() async throws {
        let pair = try SCTPPair()
        defer { pair.close() }
        #expect(pair.client.state == .new)
        #expect(await pair.connect())
        #expect(pair.client.state == .connected && pair.server.state == .connected)
        #expect(pair.clientStates.all == [.connecting, .connected])
        #expect(pair.client.maxMessageSize == 262_144)
        #expect(pair.client.statistics == SCTPAssociation.Statistics())
    }

    @Test("The smaller max-message-size wins; 0 means no limit of that side")
    func maxMessageSize() {
        var configuration = SCTPAssociation.Configuration(isDTLSClient: true)
        configuration.remoteMaxMessageSize = 65_536
        #expect(configuration.maxMessageSize == 65_536)
        configuration.remoteMaxMessageSize = 0
        #expect(configuration.maxMessageSize == 262_144)
        configuration.localMaxMessageSize = 0
        #expect(configuration.maxMessageSize == Int.max)
    }

    @Test("Closing one end aborts the other, and closes its channels")
    func abort() async throws {
        let pair = try await SCTPPair.connected()
        let (local, remote) = try await pair.openChannel()
        let localEvents = ChannelEvents(local)
        let remoteEvents = ChannelEvents(remote)
        pair.client.close()
        #expect(await pair.clientStates.wait { $0.last == .closed })
        #expect(await pair.serverStates.wait { $0.last == .failed })
        #expect(await localEvents.closes.wait(forCount: 1))
        #expect(await remoteEvents.closes.wait(forCount: 1))
        #expect(await remoteEvents.errors.wait { $0 == [.associationFailed] })
        #expect(local.readyState == .closed && remote.readyState == .closed)
        #expect(throws: DataChannelError.invalidState(.closed)) { try local.send("late") }
        #expect(throws: DataChannelError.invalidState(.closed)) { try pair.client.createDataChannel(label: "late") }
        pair.server.close()
    }

    @Test("Packets that arrive before connect() are held, not fed to an unconnected socket")
    func earlyPackets() async throws {
        let pair = try SCTPPair()
        defer { pair.close() }
        pair.client.connect()  // its INIT reaches the server before the server connects
        #expect(await pair.clientStates.wait { $0.contains(.connecting) })
        pair.server.connect()
        #expect(await pair.clientStates.wait { $0.contains(.connected) })
        #expect(await pair.serverStates.wait { $0.contains(.connected) })
    }

    @Test("Garbage packets are dropped by usrsctp without harm")
    func garbagePackets() async throws {
        let pair = try await SCTPPair.connected()
        defer { pair.close() }
        var random = SplitMix64(state: 7)
        for length in [0, 1, 11, 12, 13, 100, 1_200] {
            pair.server.receive(packet: (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) })
        }
        let (local, remote) = try await pair.openChannel()
        let events = ChannelEvents(remote)
        try local.send("still here")
        #expect(await events.messages.wait { $0 == [.text("still here")] })
    }

    @Test("Bad DCEP, data for unknown streams and oversized messages are counted and dropped")
    func badInputIsCounted() async throws {
        // The server advertises (and enforces) 1000 bytes; the client does not know.
        let pair = try await SCTPPair.connected { if !$0.isDTLSClient { $0.localMaxMessageSize = 1_000 } }
        defer { pair.close() }
        let (local, remote) = try await pair.openChannel()
        let events = ChannelEvents(remote)
        pair.client.enqueue(.control(stream: local.id, [0xFF, 0x00]))
        pair.client.enqueue(.control(stream: local.id, [0x03, 0x00]))
        pair.client.enqueue(.control(stream: 40, DCEPMessage.encodedAck))  // an ACK nobody waits for: ignored
        pair.client.enqueue(SCTPOutgoingMessage(
            channel: nil, stream: 42, ppid: .string, payload: Array("nobody".utf8), bufferedBytes: 0, unordered: false, reliability: .reliable
        ))
        try local.send([UInt8](repeating: 1, count: 2_000))
        try local.send("after the garbage")
        #expect(await events.messages.wait { $0 == [.text("after the garbage")] })
        let statistics = pair.server.statistics
        #expect(statistics.malformedDCEP == 2 && statistics.unroutableMessages == 1 && statistics.oversizedMessages == 1)
        #expect(pair.server.state == .connected && remote.readyState == .open)
    }

    @Test("The deprecated partial PPIDs 52 and 54 are reassembled into one message")
    func partialMessages() async throws {
        let pair = try await SCTPPair.connected()
        defer { pair.close() }
        let (local, remote) = try await pair.openChannel()
        let events = ChannelEvents(remote)
        for (ppid, text) in [(SCTPPayloadProtocol.stringPartial, "hel"), (.stringPartial, "lo "), (.string, "world")] {
            pair.client.enqueue(SCTPOutgoingMessage(
                channel: nil, stream: local.id, ppid: ppid, payload: Array(text.utf8), bufferedBytes: 0, unordered: false,
                reliability: .reliable
            ))
        }
        #expect(await events.messages.wait { $0 == [.text("hello world")] })
    }
}
