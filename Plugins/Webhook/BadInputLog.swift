import Dispatch
import Foundation
import JunctionNet
import Logging

/// Logs refused requests at most once a second, with how many were refused
/// since the last line, so a flood of bad input cannot flood the log.
final class BadInputLog: @unchecked Sendable {
    private let logger: Logger
    private let lock = NSLock()
    private var lastLog: UInt64 = 0
    private var unlogged = 0

    init(logger: Logger) { self.logger = logger }

    func note(_ problem: String, _ request: HTTPRequest) {
        let now = DispatchTime.now().uptimeNanoseconds
        let count: Int? = lock.withLock {
            unlogged += 1
            guard lastLog == 0 || now &- lastLog >= 1_000_000_000 else { return nil }
            lastLog = now
            defer { unlogged = 0 }
            return unlogged
        }
        guard let count else { return }
        logger.warning("request refused", metadata: [
            "problem": "\(problem)", "method": "\(request.method)", "path": "\(request.path)", "refused": "\(count)",
        ])
    }
}
