import Dispatch
import Foundation
import Junction
import Logging
import Metrics

/// Every item any client sets on a hosted portal, as a message (metadata
/// `portalid`, `servertimestamp`, `account`). The portal's ring of newest items
/// is the transport's buffer: a paused source reads on from its own cursor when
/// it resumes, and items the ring overwrote meanwhile are counted as dropped.
///
/// ```yaml
/// sources:
///   cams: { type: xrtc, portal: camera }
/// ```
public final class XRTCPortalSource: Source, @unchecked Sendable {
    private let hub: XRTCHub
    private let account: String
    private let portal: String
    private let logger: Logger
    private let queue = DispatchQueue(label: "junction.xrtc.source")
    private let overwritten: Counter
    // Queue-confined.
    private var output: (any SourceOutput)?
    private var cursor: UInt64 = 0
    private var paused = false
    private var subscription: Int?

    public init(config: XRTCPortalConfig, context: ComponentContext) throws {
        (hub, account) = try config.resolve(context)
        portal = config.portal
        logger = context.logger
        overwritten = Counter(label: "junction_xrtc_overwritten_total", dimensions: [("component", context.name)])
    }

    public func start(_ output: any SourceOutput) throws {
        queue.sync {
            self.output = output
            // Only what arrives from now on: the ring's older items were for earlier readers.
            cursor = hub.items(account: account, portal: portal, after: 0).last?.index ?? 0
            subscription = hub.subscribe(account: account, portal: portal) { [weak self] in
                guard let self else { return }
                self.queue.async { self.read() }
            }
        }
    }

    private func read() {
        guard !paused, let output else { return }
        let items = hub.items(account: account, portal: portal, after: cursor)
        guard let first = items.first else { return }
        if first.index > cursor + 1 {
            let lost = Int(first.index - cursor - 1)
            overwritten.increment(by: lost)
            logger.warning("portal ring overwrote items before they were read", metadata: ["portal": "\(portal)", "count": "\(lost)"])
        }
        cursor = items.last!.index
        output.emit(items.map { item in
            Message(payload: Array(item.payload.utf8), kind: .text, metadata: [
                "portalid": item.portalID, "servertimestamp": String(item.timestamp), "account": account,
            ])
        })
    }

    public func pause() { queue.async { self.paused = true } }

    public func resume() {
        queue.async {
            self.paused = false
            self.read()
        }
    }

    public func stop() {
        queue.async {
            if let id = self.subscription { self.hub.cancelWait(id) }
            self.subscription = nil
            self.output?.finish()
            self.output = nil
        }
    }
}
