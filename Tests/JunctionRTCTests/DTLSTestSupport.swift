import Dispatch
import Foundation
import Synchronization
@testable import JunctionRTC

/// A DTLS client and server wired together in memory, each on its own
/// serial queue. Every datagram goes through `deliver`, which tests use to
/// drop or inspect traffic; every state and packet is recorded.
final class DTLSPair: Sendable {
    enum Side: Sendable { case client, server }

    /// What one side saw.
    struct Record: Sendable {
        var states: [DTLSTransport.State] = []
        var packets: [[UInt8]] = []
        var datagramsSent = 0
    }

    let clientQueue = DispatchQueue(label: "test.dtls.client")
    let serverQueue = DispatchQueue(label: "test.dtls.server")
    let client: DTLSTransport
    let server: DTLSTransport
    private let records = Mutex<[Record]>([Record(), Record()])

    /// `drop(side, index, datagram)` decides whether the `index`-th datagram
    /// `side` sends is lost. `clientExpects`/`serverExpects` replace the
    /// fingerprints each side checks the other with.
    init(
        clientExpects: [DTLSFingerprint]? = nil,
        serverExpects: [DTLSFingerprint]? = nil,
        handshakeTimeout: Duration = .seconds(30),
        drop: @escaping @Sendable (Side, Int, [UInt8]) -> Bool = { _, _, _ in false }
    ) throws {
        let clientCertificate = try DTLSCertificate()
        let serverCertificate = try DTLSCertificate()
        let link = Link()
        func sender(_ side: Side) -> ([UInt8]) -> Void {
            { datagram in
                guard let pair = link.pair else { return }
                let index = pair.records.withLock { records in
                    defer { records[side.index].datagramsSent += 1 }
                    return records[side.index].datagramsSent
                }
                if drop(side, index, datagram) { return }
                let (peer, queue) = side == .client ? (pair.server, pair.serverQueue) : (pair.client, pair.clientQueue)
                queue.async { peer.receive(datagram: datagram) }
            }
        }
        client = try DTLSTransport(
            role: .client, certificate: clientCertificate,
            remoteFingerprints: try clientExpects ?? [serverCertificate.fingerprint()],
            queue: clientQueue, handshakeTimeout: handshakeTimeout, send: sender(.client))
        server = try DTLSTransport(
            role: .server, certificate: serverCertificate,
            remoteFingerprints: try serverExpects ?? [clientCertificate.fingerprint()],
            queue: serverQueue, handshakeTimeout: handshakeTimeout, send: sender(.server))
        link.pair = self
        for side in [Side.client, .server] {
            let transport = self.transport(side)
            queue(side).sync {
                transport.onStateChange = { [weak self] state in self?.records.withLock { $0[side.index].states.append(state) } }
                transport.onData = { [weak self] packet in self?.records.withLock { $0[side.index].packets.append(packet) } }
            }
        }
    }

    func transport(_ side: Side) -> DTLSTransport { side == .client ? client : server }
    func queue(_ side: Side) -> DispatchQueue { side == .client ? clientQueue : serverQueue }

    /// Runs `body` with `side`'s transport on its queue and returns the result.
    func on<T: Sendable>(_ side: Side, _ body: @Sendable (DTLSTransport) throws -> T) rethrows -> T {
        let transport = self.transport(side)
        return try queue(side).sync { try body(transport) }
    }

    func start() {
        on(.server) { $0.start() }
        on(.client) { $0.start() }
    }

    func record(_ side: Side) -> Record { records.withLock { $0[side.index] } }
    func state(_ side: Side) -> DTLSTransport.State { on(side) { $0.state } }

    @discardableResult
    func wait(timeout: Duration = .seconds(10), until condition: () -> Bool) async -> Bool {
        await eventually(timeout: timeout, condition)
    }

    /// Waits until both sides are connected (or either failed).
    func waitConnected() async -> Bool {
        await wait { isConnected(.client) && isConnected(.server) || isFailed(.client) || isFailed(.server) }
        return isConnected(.client) && isConnected(.server)
    }

    func isConnected(_ side: Side) -> Bool { state(side) == .connected }

    func isFailed(_ side: Side) -> Bool {
        if case .failed = state(side) { return true }
        return false
    }

    func failure(_ side: Side) -> DTLSError? {
        if case .failed(let error) = state(side) { return error }
        return nil
    }
}

/// Polls `condition` every 10 ms until it holds or `timeout` passes; whether it held.
func eventually(timeout: Duration = .seconds(10), _ condition: () -> Bool) async -> Bool {
    let end = ContinuousClock.now + timeout
    while ContinuousClock.now < end {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}

/// The pair as the send closures see it: set once, before any datagram flows.
private final class Link: @unchecked Sendable {
    weak var pair: DTLSPair?
}

extension DTLSPair.Side {
    var index: Int { self == .client ? 0 : 1 }
}
