import Testing
@testable import JunctionRTC

@Suite("Data channel flow control: bufferedAmount, pausing, loss", .serialized)
struct DataChannelFlowControlTests {
    @Test("bufferedAmount grows with each send, falls only in later tasks, and the low event fires once")
    func bufferedAmountLow() async throws {
        let pair = try await SCTPPair.connected()
        defer { pair.close() }
        let (local, remote) = try await pair.openChannel()
        let atRemote = ChannelEvents(remote)
        let atLocal = ChannelEvents(local, messages: false)
        local.bufferedAmountLowThreshold = 65_536
        let chunk = [UInt8](repeating: 7, count: 16_384)
        // One task of the delegate queue: bufferedAmount cannot fall during it.
        let amounts = await perform(on: pair.client.delegateQueue) {
            (0..<16).map { _ in (try? local.send(chunk)) == nil ? -1 : local.bufferedAmount }
        }
        #expect(amounts == (1...16).map { $0 * 16_384 })
        #expect(await atLocal.lows.wait(forCount: 1))
        #expect(try #require(atLocal.lows.all.first) <= 65_536)
        #expect(await eventually { local.bufferedAmount == 0 })
        #expect(await atRemote.messages.wait(forCount: 16))
        #expect(atLocal.lows.count == 1)
        #expect(atRemote.messages.all.allSatisfy { $0 == .binary(chunk) })
    }

    @Test("Empty messages count nothing in bufferedAmount")
    func emptyMessagesAreFree() async throws {
        let pair = try await SCTPPair.connected()
        defer { pair.close() }
        let (local, remote) = try await pair.openChannel()
        let events = ChannelEvents(remote)
        let amount = await perform(on: pair.client.delegateQueue) {
            try? local.send("")
            try? local.send([UInt8]())
            return local.bufferedAmount
        }
        #expect(amount == 0)
        #expect(await events.messages.wait { $0 == [.text(""), .binary([])] })
    }

    @Test("Past the cap, send() throws and queues nothing")
    func cap() async throws {
        let pair = try await SCTPPair.connected { $0.maxBufferedAmount = 100_000 }
        defer { pair.close() }
        let (local, _) = try await pair.openChannel()
        let chunk = [UInt8](repeating: 1, count: 16_384)
        let outcome = await perform(on: pair.client.delegateQueue) { () -> (Int, DataChannelError?, Int) in
            var accepted = 0
            do throws(DataChannelError) {
                while true {
                    try local.send(chunk)
                    accepted += 1
                }
            } catch {
                return (accepted, error, local.bufferedAmount)
            }
        }
        #expect(outcome.0 == 6)
        #expect(outcome.1 == .bufferFull(bufferedAmount: 98_304, limit: 100_000))
        #expect(outcome.2 == 98_304)
    }

    @Test("A paused receiver stops reading SCTP, so the sender's bufferedAmount grows; resuming drains it")
    func pausedReceiverBackpressure() async throws {
        let pair = try await SCTPPair.connected()
        defer { pair.close() }
        let (local, remote) = try await pair.openChannel()
        let atRemote = ChannelEvents(remote)
        let atLocal = ChannelEvents(local, messages: false)
        remote.pauseReceiving()
        #expect(remote.isReceivingPaused)

        let chunk = 64 * 1_024
        let total = 128  // 8 MiB: far more than both socket buffers (1 MiB each) and the window
        let accepted = await perform(on: pair.client.delegateQueue) {
            (0..<total).filter { index in (try? local.send([UInt8](repeating: UInt8(index), count: chunk))) != nil }.count
        }
        #expect(accepted == total)

        // The receiver holds one message and stops reading; nothing is delivered.
        #expect(await eventually { remote.state.withLock { $0.held.count } == 1 })
        #expect(await stalled(pair.server))
        #expect(atRemote.messages.count == 0)
        // usrsctp can have taken at most its send buffer plus the peer's
        // receive window: the rest stays in bufferedAmount, however long we wait.
        #expect(local.bufferedAmount >= 4 * 1_024 * 1_024)
        #expect(atLocal.lows.count == 0)

        remote.resumeReceiving()
        #expect(await atRemote.messages.wait(forCount: total, timeout: .seconds(30)))
        #expect(atRemote.messages.all == (0..<total).map { .binary([UInt8](repeating: UInt8($0), count: chunk)) })
        #expect(await eventually { local.bufferedAmount == 0 })
        #expect(await atLocal.lows.wait(forCount: 1))
    }

    @Test("Dropping packets on the wire still delivers everything, in order, on a reliable channel")
    func lossyWire() async throws {
        let pair = try await SCTPPair.connected()
        defer { pair.close() }
        let (local, remote) = try await pair.openChannel()
        let events = ChannelEvents(remote)
        pair.wire.setLoss(percent: 10)
        let sent = (0..<300).map { index in
            DataChannelMessage.text("\(index):" + String(repeating: "x", count: (index * 97) % 3_000))
        }
        for message in sent { try local.send(message) }
        #expect(await events.messages.wait(forCount: sent.count, timeout: .seconds(60)))
        #expect(events.messages.all == sent)
        #expect(pair.wire.dropped > 0)
        #expect(pair.client.state == .connected)
    }

    /// Whether `association` stopped reading, as seen on its queue.
    private func stalled(_ association: SCTPAssociation) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if await perform(on: association.queue, { association.readStalled }) { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return false
    }
}
