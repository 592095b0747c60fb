import Foundation
import Junction
import JunctionNet
import Logging
import Metrics
import Synchronization

/// Messages become items of a portal on a remote XRTC server, packed into
/// `item/set` requests within the server's item and size limits. A single
/// message over the size limit is an error, counted and logged, never
/// truncated. A set that fails for want of a session, a connection or time
/// is retried (with a doubling backoff) until it is accepted or the sink
/// closes; one the server refuses as invalid is counted and skipped. Every
/// message that did not reach the server is reported as failed.
///
/// ```yaml
/// sinks:
///   remote: { type: xrtc, url: "https://xrtc.example.com", portal: ptz }
/// ```
public final class XRTCRemoteSink: ReportingSink, Sendable {
    private let client: XRTCClient
    private let packer: XRTCSetPacker
    private let logger: Logger
    private let maxBackoff: Double
    private let closed = Atomic<Bool>(false)
    private let oversized: Counter
    private let refused: Counter
    private let retries: Counter

    public init(config: XRTCPortalConfig, context: ComponentContext) throws {
        client = try XRTCClient(settings: XRTCRemoteSettings.resolve(config, context: context), timeout: config.timeout.value, logger: context.logger)
        packer = XRTCSetPacker(portal: config.portal, itemsPerSet: config.itemsPerSet, payloadBytesPerSet: config.payloadBytesPerSet)
        logger = context.logger
        maxBackoff = config.maxBackoff.value
        let dims = [("component", context.name)]
        oversized = Counter(label: "junction_xrtc_client_oversized_total", dimensions: dims)
        refused = Counter(label: "junction_xrtc_client_refused_total", dimensions: dims)
        retries = Counter(label: "junction_xrtc_client_retries_total", dimensions: dims)
    }

    public func write(_ batch: [Message], reporting completion: @escaping @Sendable (_ failed: Int) -> Void) {
        let payloads = batch.map(\.text)
        Task { [self] in
            completion(await send(payloads))
        }
    }

    /// Sends every set in order; returns how many payloads did not get through.
    private func send(_ payloads: [String]) async -> Int {
        let packed = packer.pack(payloads)
        var failed = packed.oversized.count
        for index in packed.oversized {
            oversized.increment()
            logger.error("message over the XRTC set size limit; not sent", metadata: [
                "bytes": "\(payloads[index].utf8.count)", "limit": "\(packer.payloadBytesPerSet)",
            ])
        }
        for (body, count) in zip(packed.bodies, packed.counts) {
            var backoff = 0.5
            var sent = false
            while !sent && !closed.load(ordering: .acquiring) {
                do {
                    try await client.set(body)
                    sent = true
                } catch let error where Self.isRefusal(error) {
                    refused.increment(by: count)
                    logger.error("XRTC server refused a set; its items are dropped", metadata: ["error": "\(error)", "items": "\(count)"])
                    break
                } catch {
                    retries.increment()
                    logger.warning("XRTC set failed; retrying", metadata: ["error": "\(error)", "retry_in": "\(backoff)s"])
                    try? await Task.sleep(nanoseconds: UInt64(backoff * 1e9))
                    backoff = min(backoff * 2, maxBackoff)
                }
            }
            if !sent { failed += count }
        }
        return failed
    }

    /// The request itself is wrong (errorcode 20 or 30): sending it again can't help.
    private static func isRefusal(_ error: XRTCClientError) -> Bool {
        if case .api(let code, _, _) = error { return code == 20 || code == 30 }
        return false
    }

    public func close(completion: @escaping @Sendable () -> Void) {
        closed.store(true, ordering: .releasing)
        client.shutdown()
        completion()
    }
}
