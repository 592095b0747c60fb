import Dispatch
import Synchronization
import Testing
@testable import JunctionRTC

/// Values recorded from event handlers (any queue), awaited with a deadline.
final class Recorder<Value: Sendable>: Sendable {
    private let values = Mutex<[Value]>([])

    func append(_ value: Value) {
        values.withLock { $0.append(value) }
    }

    var all: [Value] { values.withLock { $0 } }
    var count: Int { values.withLock { $0.count } }

    /// Waits until `predicate` holds for the values so far (polling, up to `timeout`).
    func wait(timeout: Duration = .seconds(10), until predicate: @Sendable ([Value]) -> Bool) async -> Bool {
        await eventually(timeout: timeout) { self.values.withLock { predicate($0) } }
    }

    func wait(forCount count: Int, timeout: Duration = .seconds(10)) async -> Bool {
        await wait(timeout: timeout) { $0.count >= count }
    }
}

/// Runs `body` as one task of `queue` (a channel's delegate queue, where
/// `bufferedAmount` cannot fall during the task) and returns its result.
func perform<T: Sendable>(on queue: DispatchQueue, _ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        queue.async { continuation.resume(returning: body()) }
    }
}

/// The wire between two associations: each one's output is the other's
/// input, with an optional deterministic loss rate.
final class SCTPWire: Sendable {
    enum Side: Sendable { case client, server }

    private struct State {
        weak var client: SCTPAssociation?
        weak var server: SCTPAssociation?
        var lossPercent = 0
        var random = SplitMix64(state: 0x5C79)
        var carried = 0
        var dropped = 0
    }

    private let state = Mutex(State())

    func attach(client: SCTPAssociation, server: SCTPAssociation) {
        state.withLock {
            $0.client = client
            $0.server = server
        }
    }

    /// Drops `percent` % of the packets in each direction from now on.
    func setLoss(percent: Int) {
        state.withLock { $0.lossPercent = percent }
    }

    var dropped: Int { state.withLock { $0.dropped } }

    func carry(_ packet: [UInt8], to side: Side) {
        let target: SCTPAssociation? = state.withLock { state in
            if state.lossPercent > 0, Int(state.random.next() % 100) < state.lossPercent {
                state.dropped += 1
                return nil
            }
            state.carried += 1
            return side == .client ? state.client : state.server
        }
        target?.receive(packet: packet)
    }
}

/// Two associations in one process over AF_CONN, wired packet to packet:
/// the client is the DTLS client (even stream ids), the server odd.
struct SCTPPair {
    let client: SCTPAssociation
    let server: SCTPAssociation
    let wire = SCTPWire()
    let clientStates = Recorder<SCTPAssociationState>()
    let serverStates = Recorder<SCTPAssociationState>()
    let clientChannels = Recorder<DataChannel>()
    let serverChannels = Recorder<DataChannel>()

    init(
        port: UInt16 = 5_000, configure: (inout SCTPAssociation.Configuration) -> Void = { _ in }
    ) throws {
        var clientConfiguration = SCTPAssociation.Configuration(isDTLSClient: true, localPort: port, remotePort: port)
        var serverConfiguration = SCTPAssociation.Configuration(isDTLSClient: false, localPort: port, remotePort: port)
        configure(&clientConfiguration)
        configure(&serverConfiguration)
        let wire = wire
        client = try SCTPAssociation(configuration: clientConfiguration) { wire.carry($0, to: .server) }
        server = try SCTPAssociation(configuration: serverConfiguration) { wire.carry($0, to: .client) }
        wire.attach(client: client, server: server)
        let (clientStates, serverStates) = (clientStates, serverStates)
        client.onStateChange = { clientStates.append($0) }
        server.onStateChange = { serverStates.append($0) }
        let (clientChannels, serverChannels) = (clientChannels, serverChannels)
        client.onDataChannel = { clientChannels.append($0) }
        server.onDataChannel = { serverChannels.append($0) }
    }

    /// A pair already connected (a test failure if it does not come up).
    static func connected(
        configure: (inout SCTPAssociation.Configuration) -> Void = { _ in }
    ) async throws -> SCTPPair {
        let pair = try SCTPPair(configure: configure)
        guard await pair.connect() else {
            pair.close()
            throw PairError.notConnected
        }
        return pair
    }

    enum PairError: Error { case notConnected }

    /// Connects both sides (simultaneous open) and waits for COMM_UP on each.
    func connect() async -> Bool {
        client.connect()
        server.connect()
        let up = await clientStates.wait { $0.contains(.connected) }
        return await serverStates.wait { $0.contains(.connected) } && up
    }

    func close() {
        client.close()
        server.close()
    }

    /// A channel from the client and its counterpart on the server, both open.
    func openChannel(
        label: String = "chat", options: DataChannelOptions = DataChannelOptions()
    ) async throws -> (local: DataChannel, remote: DataChannel) {
        let local = try client.createDataChannel(label: label, options: options)
        try #require(await eventually { local.readyState == .open })
        let remoteChannels = serverChannels
        try #require(await remoteChannels.wait { $0.contains { $0.id == local.id } })
        let remote = try #require(remoteChannels.all.first { $0.id == local.id })
        return (local, remote)
    }
}

/// Records a channel's events.
final class ChannelEvents: Sendable {
    let messages = Recorder<DataChannelMessage>()
    let opens = Recorder<Bool>()
    let closes = Recorder<Bool>()
    let errors = Recorder<DataChannelError>()
    let lows = Recorder<Int>()

    init(_ channel: DataChannel, messages attach: Bool = true) {
        let (opens, closes, errors, lows) = (opens, closes, errors, lows)
        channel.onOpen = { opens.append(true) }
        channel.onClose = { closes.append(true) }
        channel.onError = { errors.append($0) }
        channel.onBufferedAmountLow = { [weak channel] in lows.append(channel?.bufferedAmount ?? -1) }
        if attach { listen(to: channel) }
    }

    func listen(to channel: DataChannel) {
        let messages = messages
        channel.onMessage = { messages.append($0) }
    }
}
