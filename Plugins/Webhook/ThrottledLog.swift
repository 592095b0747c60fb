import Dispatch
import Foundation
import Logging

/// Logs one kind of event at most once a second, with how many happened
/// since the last line, so that a flood (bad requests, a target refusing
/// everything) cannot flood the log.
///
/// ```swift
/// let refused = ThrottledLog(logger: logger, level: .warning, message: "request refused")
/// refused.note(["problem": "invalid bearer token"])
/// ```
final class ThrottledLog: @unchecked Sendable {
    private let logger: Logger
    private let level: Logger.Level
    private let message: Logger.Message
    private let lock = NSLock()
    private var lastLog: UInt64 = 0
    private var unlogged = 0

    init(logger: Logger, level: Logger.Level = .warning, message: Logger.Message) {
        self.logger = logger
        self.level = level
        self.message = message
    }

    /// Counts one event; logs it (with the count so far) when a second has passed since the last line.
    func note(_ metadata: @autoclosure () -> Logger.Metadata) {
        let now = DispatchTime.now().uptimeNanoseconds
        let count: Int? = lock.withLock {
            unlogged += 1
            guard lastLog == 0 || now &- lastLog >= 1_000_000_000 else { return nil }
            lastLog = now
            defer { unlogged = 0 }
            return unlogged
        }
        guard let count else { return }
        var fields = metadata()
        fields["count"] = "\(count)"
        logger.log(level: level, message, metadata: fields)
    }
}
