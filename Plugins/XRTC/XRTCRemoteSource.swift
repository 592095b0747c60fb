import Foundation
import Junction
import JunctionNet
import Logging
import Metrics
import Synchronization

/// Items of a portal on a remote XRTC server, as messages (metadata
/// `portalid`, `servertimestamp`). Gets in `mode` probe (every
/// `poll_interval`), watch (long-poll) or stream (one line per arrival); logs
/// in again when the session is gone; retries with a doubling backoff. Paused,
/// it issues no new get and a running stream stops reading its socket.
///
/// ```yaml
/// sources:
///   remote: { type: xrtc, url: "https://xrtc.example.com", portal: camera, mode: stream, cutoff: 500 }
/// ```
public final class XRTCRemoteSource: Source, Sendable {
    private struct State {
        var output: (any SourceOutput)?
        var loop: Task<Void, Never>?
        var stream: HTTPClientTask?
        var paused = false
        var stopped = false
    }

    private let client: XRTCClient
    private let config: XRTCPortalConfig
    private let logger: Logger
    private let gate = XRTCPauseGate()
    private let state = Mutex(State())
    private let errors: Counter
    private let body: [UInt8]

    public init(config: XRTCPortalConfig, context: ComponentContext) throws {
        self.config = config
        logger = context.logger
        client = try XRTCClient(settings: XRTCRemoteSettings.resolve(config, context: context), timeout: config.timeout.value, logger: context.logger)
        errors = Counter(label: "junction_xrtc_client_errors_total", dimensions: [("component", context.name)])
        body = Self.getBody(config)
    }

    /// `{"portals":[{"portalid":P}],"mode":M,"schedule":S[,"cutoff":C]}`.
    static func getBody(_ config: XRTCPortalConfig) -> [UInt8] {
        var body = Array(#"{"portals":[{"portalid":"#.utf8) + XRTCJSON.quoted(config.portal)
        body += Array(#"}],"mode":"\#(config.mode.rawValue)","schedule":"\#(config.schedule.rawValue)""#.utf8)
        if config.cutoff >= 0 { body += Array(#","cutoff":\#(config.cutoff)"#.utf8) }
        body.append(0x7D)
        return body
    }

    public func start(_ output: any SourceOutput) throws {
        let loop = Task { [self] in await run() }
        state.withLock {
            $0.output = output
            $0.loop = loop
        }
    }

    private func run() async {
        var backoff = 0.5
        while !state.withLock({ $0.stopped }) {
            await gate.waitUntilOpen()
            if state.withLock({ $0.stopped }) { break }
            do {
                switch config.mode {
                case .probe:
                    emit(try await client.get(body, wait: 0))
                    try? await Task.sleep(nanoseconds: UInt64(config.pollInterval.value * 1e9))
                case .watch:
                    emit(try await client.get(body, wait: 65))
                case .stream:
                    try await client.stream(body, started: { [self] task in
                        let paused = state.withLock { s -> Bool in
                            s.stream = task
                            return s.paused
                        }
                        if paused { task.pause() }
                    }, onItems: { [self] items in emit(items) })
                    state.withLock { $0.stream = nil }
                }
                backoff = 0.5
            } catch {
                if state.withLock({ $0.stopped }) { break }
                errors.increment()
                logger.warning("XRTC get failed; retrying", metadata: [
                    "portal": "\(config.portal)", "error": "\(error)", "retry_in": "\(backoff)s",
                ])
                try? await Task.sleep(nanoseconds: UInt64(backoff * 1e9))
                backoff = min(backoff * 2, config.maxBackoff.value)
            }
        }
        let output = state.withLock { s -> (any SourceOutput)? in
            defer { s.output = nil }
            return s.output
        }
        output?.finish()
    }

    private func emit(_ items: [XRTCRemoteItem]) {
        guard !items.isEmpty, let output = state.withLock({ $0.output }) else { return }
        output.emit(items.map { item in
            Message(payload: Array(item.payload.utf8), kind: .text, metadata: [
                "portalid": item.portalID, "servertimestamp": String(item.timestamp),
            ])
        })
    }

    public func pause() {
        let stream = state.withLock { s -> HTTPClientTask? in
            s.paused = true
            return s.stream
        }
        gate.close()
        stream?.pause()
    }

    public func resume() {
        let stream = state.withLock { s -> HTTPClientTask? in
            s.paused = false
            return s.stream
        }
        gate.open()
        stream?.resume()
    }

    public func stop() {
        let loop = state.withLock { s -> Task<Void, Never>? in
            s.stopped = true
            return s.loop
        }
        loop?.cancel()
        client.shutdown()
        gate.open()
    }
}

/// Lets an async loop wait while its source is paused.
final class XRTCPauseGate: Sendable {
    private struct State {
        var open = true
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    func close() { state.withLock { $0.open = false } }

    func open() {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.open = true
            defer { s.waiters = [] }
            return s.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func waitUntilOpen() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let runNow = state.withLock { s -> Bool in
                if s.open { return true }
                s.waiters.append(continuation)
                return false
            }
            if runNow { continuation.resume() }
        }
    }
}
