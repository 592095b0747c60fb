import Testing
@testable import JunctionRTC

@Suite("Data channels over a wired pair of associations", .serialized)
struct DataChannelTests {
    @Test("DCEP opens channels both ways: even ids from the DTLS client, odd from the server")
    func openBothWays() async throws {
        let pair = try await SCTPPair.connected()
        defer { pair.close() }
        let first = try pair.client.createDataChannel(label: "chat", options: .init(protocol: "json"))
        let second = try pair.client.createDataChannel(label: "files")
        let fromServer = try pair.server.createDataChannel(label: "status", options: .init(ordered: false, maxPacketLifeTime: 500))
        #expect([first.id, second.id, fromServer.id] == [0, 2, 1])

        #expect(await eventually { [first, second, fromServer].allSatisfy { $0.readyState == .open } })
        #expect(await pair.serverChannels.wait(forCount: 2))
        #expect(await pair.clientChannels.wait(forCount: 1))
        let atServer = pair.serverChannels.all.sorted { $0.id < $1.id }
        #expect(atServer.map(\.id) == [0, 2] && atServer.map(\.label) == ["chat", "files"])
        #expect(atServer[0].protocol == "json" && atServer[0].ordered && atServer[0].maxRetransmits == nil)
        #expect(atServer.allSatisfy { $0.readyState == .open && !$0.negotiated })
        let atClient = try #require(pair.clientChannels.all.first)
        #expect(atClient.id == 1 && atClient.label == "status" && !atClient.ordered && atClient.maxPacketLifeTime == 500)
    }

    @Test("The open event reaches a handler set inside onDataChannel")
    func openEventAfterAnnouncement() async throws {
        let pair = try SCTPPair()
        defer { pair.close() }
        let opened = Recorder<String>()
        pair.server.onDataChannel = { channel in
            let label = channel.label
            channel.onOpen = { opened.append(label) }
        }
        #expect(await pair.connect())
        _ = try pair.client.createDataChannel(label: "announced")
        #expect(await opened.wait { $0 == ["announced"] })
    }

    @Test("Channels created before the association is up open once it is")
    func createdEarly() async throws {
        let pair = try SCTPPair()
        defer { pair.close() }
        let early = try pair.client.createDataChannel(label: "early")
        let events = ChannelEvents(early)
        #expect(early.readyState == .connecting)
        #expect(throws: DataChannelError.invalidState(.connecting)) { try early.send("too early") }
        #expect(await pair.connect())
        #expect(await events.opens.wait(forCount: 1))
        #expect(await pair.serverChannels.wait { $0.map(\.label) == ["early"] })
    }

    @Test("Ordered text, binary and empty messages arrive intact and in order, both ways")
    func orderedMessages() async throws {
        let pair = try await SCTPPair.connected()
        defer { pair.close() }
        let (local, remote) = try await pair.openChannel()
        let atRemote = ChannelEvents(remote)
        let atLocal = ChannelEvents(local)
        let sent: [DataChannelMessage] = [
            .text("hello"), .binary([0, 1, 2, 255]), .text(""), .binary([]), .text("žluťoučký kůň 🐎"),
            .binary(Array(repeating: 0xAB, count: 5_000)), .text(String(repeating: "x", count: 70_000)),
        ] + (0..<50).map { .text("n\($0)") }
        for message in sent { try local.send(message) }
        for message in sent.reversed() { try remote.send(message) }
        #expect(await atRemote.messages.wait(forCount: sent.count))
        #expect(atRemote.messages.all == sent)
        #expect(await atLocal.messages.wait(forCount: sent.count))
        #expect(atLocal.messages.all == sent.reversed())
    }

    @Test("A message of max-message-size works; one byte more is refused locally")
    func sizeLimit() async throws {
        let pair = try await SCTPPair.connected()
        defer { pair.close() }
        let (local, remote) = try await pair.openChannel()
        let events = ChannelEvents(remote)
        #expect(local.maxMessageSize == 262_144)
        let largest = (0..<262_144).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try local.send(largest)
        #expect(throws: DataChannelError.messageTooLarge(size: 262_145, limit: 262_144)) {
            try local.send(largest + [0])
        }
        #expect(throws: DataChannelError.messageTooLarge(size: 262_145, limit: 262_144)) {
            try local.send(String(repeating: "a", count: 262_145))
        }
        try remote.send(largest)
        #expect(await events.messages.wait(forCount: 1))
        #expect(events.messages.all == [.binary(largest)])
        let back = ChannelEvents(local)
        #expect(await back.messages.wait { $0 == [.binary(largest)] })
        #expect(await eventually { local.bufferedAmount == 0 })
    }

    @Test("An unordered channel with maxRetransmits 0 opens as such and carries messages")
    func unorderedUnreliable() async throws {
        let pair = try await SCTPPair.connected()
        defer { pair.close() }
        let (local, remote) = try await pair.openChannel(label: "game", options: .init(ordered: false, maxRetransmits: 0))
        #expect(!remote.ordered && remote.maxRetransmits == 0 && remote.maxPacketLifeTime == nil)
        let events = ChannelEvents(remote)
        let sent = (0..<100).map { DataChannelMessage.text("state \($0)") }
        for message in sent { try local.send(message) }
        // Nothing is lost on this wire, but order is not promised.
        #expect(await events.messages.wait(forCount: sent.count))
        #expect(Set(events.messages.all.map(\.description)).count == Set(sent.map(\.description)).count)
        #expect(events.messages.all.sorted { $0.description < $1.description } == sent.sorted { $0.description < $1.description })
    }

    @Test("Closing a channel resets its stream and closes it on both sides; the id is free again")
    func closeByStreamReset() async throws {
        let pair = try await SCTPPair.connected()
        defer { pair.close() }
        let (local, remote) = try await pair.openChannel()
        let atLocal = ChannelEvents(local)
        let atRemote = ChannelEvents(remote)
        // On the association's queue, so the reset cannot complete while we look.
        let whileClosing = await perform(on: pair.client.queue) { () -> (DataChannelState, DataChannelError?) in
            let sent = (try? local.send("last words")) != nil
            local.close()
            do throws(DataChannelError) {
                try local.send("too late")
                return (local.readyState, nil)
            } catch {
                return (sent ? local.readyState : .closed, error)
            }
        }
        #expect(whileClosing.0 == .closing)
        #expect(whileClosing.1 == .invalidState(.closing))
        #expect(await atLocal.closes.wait(forCount: 1))
        #expect(await atRemote.closes.wait(forCount: 1))
        #expect(atRemote.messages.all == [.text("last words")])
        #expect(local.readyState == .closed && remote.readyState == .closed)
        local.close()  // idempotent

        let again = try pair.client.createDataChannel(label: "again")
        #expect(again.id == local.id)
        #expect(await eventually { again.readyState == .open })
    }

    @Test("The remote side closing also closes ours")
    func closeFromRemote() async throws {
        let pair = try await SCTPPair.connected()
        defer { pair.close() }
        let (local, remote) = try await pair.openChannel()
        let atLocal = ChannelEvents(local)
        remote.close()
        #expect(await atLocal.closes.wait(forCount: 1))
        #expect(await eventually { remote.readyState == .closed })
        #expect(local.readyState == .closed)
    }

    @Test("A negotiated channel skips DCEP and opens on both sides with the agreed id")
    func negotiated() async throws {
        let pair = try SCTPPair()
        defer { pair.close() }
        let options = DataChannelOptions(negotiated: true, id: 7)
        let local = try pair.client.createDataChannel(label: "control", options: options)
        let remote = try pair.server.createDataChannel(label: "control", options: options)
        #expect(local.id == 7 && remote.id == 7 && local.negotiated)
        #expect(throws: DataChannelError.streamIDInUse(7)) { try pair.client.createDataChannel(label: "dup", options: options) }
        #expect(await pair.connect())
        #expect(await eventually { local.readyState == .open && remote.readyState == .open })
        let events = ChannelEvents(remote)
        try local.send("negotiated")
        #expect(await events.messages.wait { $0 == [.text("negotiated")] })
        #expect(pair.serverChannels.count == 0)
        #expect(pair.server.statistics.malformedDCEP == 0)
    }

    @Test("Messages for a channel without a handler are held until one attaches")
    func heldUntilHandler() async throws {
        let pair = try SCTPPair()
        defer { pair.close() }
        pair.server.onDataChannel = nil
        #expect(await pair.connect())
        let local = try pair.client.createDataChannel(label: "eager")
        #expect(await eventually { local.readyState == .open })
        for index in 0..<5 { try local.send("early \(index)") }
        // The server has no onDataChannel handler: find its channel through the registry of streams.
        let remote = try #require(await remoteChannel(of: pair.server, id: local.id))
        #expect(await eventually { remote.state.withLock { $0.held.count } == 5 })
        let events = ChannelEvents(remote)
        #expect(await events.messages.wait(forCount: 5))
        #expect(events.messages.all == (0..<5).map { .text("early \($0)") })
    }

    @Test("createDataChannel rejects what W3C rejects")
    func invalidOptions() throws {
        let pair = try SCTPPair()
        defer { pair.close() }
        #expect(throws: DataChannelError.invalidParameters("maxPacketLifeTime and maxRetransmits are exclusive")) {
            try pair.client.createDataChannel(label: "x", options: .init(maxPacketLifeTime: 1, maxRetransmits: 1))
        }
        #expect(throws: DataChannelError.invalidParameters("a negotiated channel needs an id")) {
            try pair.client.createDataChannel(label: "x", options: .init(negotiated: true))
        }
        #expect(throws: DataChannelError.invalidParameters("stream id 65535 is reserved")) {
            try pair.client.createDataChannel(label: "x", options: .init(negotiated: true, id: 65_535))
        }
        #expect(throws: DataChannelError.invalidParameters("the label is over 65535 bytes")) {
            try pair.client.createDataChannel(label: String(repeating: "l", count: 65_536))
        }
    }

    @Test("Stream ids follow the DTLS role's parity and run out at the stream limit")
    func streamIDs() {
        var ids = SCTPStreamIDs(limit: 6)
        #expect((0..<4).map { _ in ids.allocate(even: true) } == [0, 2, 4, nil])
        #expect(ids.allocate(even: false) == 1)
        ids.release(2)
        #expect(ids.allocate(even: true) == 2)
        #expect(ids.claim(5) && !ids.claim(5) && !ids.claim(65_535))
        var server = SCTPStreamIDs(limit: 65_535)
        #expect(server.allocate(even: false) == 1)
    }

    /// The association's channel on `id`, read on its queue (tests only).
    private func remoteChannel(of association: SCTPAssociation, id: UInt16) async -> DataChannel? {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if let channel = await perform(on: association.queue, { association.streams[id]?.channel }) { return channel }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return nil
    }
}
