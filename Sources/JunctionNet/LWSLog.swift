import CWebSockets
import CWebSocketsLog
import Foundation
import Logging
import Synchronization

/// Routes libwebsockets' own log lines (errors and warnings only) into
/// swift-log. lws keeps one process-wide emitter, so this is process-wide too:
/// the first server's logger receives them.
enum LWSLog {
    private static let sink = Mutex<Logger?>(nil)

    /// Installs the emitter once; later calls keep the first logger.
    static func install(_ logger: Logger) {
        let first = sink.withLock { current -> Bool in
            guard current == nil else { return false }
            var l = logger
            l[metadataKey: "engine"] = "libwebsockets"
            current = l
            return true
        }
        if first {
            // JUNCTION_LWS_LOG=<LLL_ bitmask> widens lws logging for debugging.
            let level = ProcessInfo.processInfo.environment["JUNCTION_LWS_LOG"].flatMap { Int32($0) } ?? (LLL_ERR | LLL_WARN)
            junction_lws_log_filter(level)
            lws_set_log_level(level, lwsLogEmit)
        }
    }

    fileprivate static func emit(level: Int32, line: UnsafePointer<CChar>?) {
        guard let line, let logger = sink.withLock({ $0 }) else { return }
        var text = String(cString: line)
        while text.last == "\n" { text.removeLast() }
        if level & LLL_ERR != 0 {
            logger.error("\(text)")
        } else if level & LLL_WARN != 0 {
            logger.warning("\(text)")
        } else {
            logger.notice("\(text)")
        }
    }
}

private func lwsLogEmit(level: Int32, line: UnsafePointer<CChar>?) {
    LWSLog.emit(level: level, line: line)
}
