import Foundation
import Junction
import Logging

/// Appends messages to a file, creating it and its directories, with an
/// optional fsync policy.
///
/// ```yaml
/// sinks:
///   archive: { type: file, path: out/archive.jsonl, fsync: batch }
/// ```
public final class FileSink: ReportingSink, @unchecked Sendable {
    // `writer`, `fd` and `timer` are set by start(), which the runtime calls before
    // any write; `dirty` is touched only on the writer thread.
    private let config: FileSinkConfig
    private let path: String
    private let logger: Logger
    private var writer: FDWriter?
    private var fd: Int32 = -1
    private var timer: (any DispatchSourceTimer)?
    private var dirty = false  // writer-thread confined: written since the last fsync
    private let syncLock = NSLock()
    private var _syncs = 0  // under syncLock

    /// fsync calls made so far.
    var syncCount: Int { syncLock.withLock { _syncs } }

    public init(config: FileSinkConfig, context: ComponentContext) {
        self.config = config
        self.path = context.resolve(path: config.path)
        self.logger = context.logger
    }

    deinit { timer?.cancel() }

    public func start() throws {
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ConfigDiagnostic("cannot open '\(path)' for appending: \(String(cString: strerror(errno)))") }
        let writer = FDWriter(fd: fd, codec: config.codec, logger: logger, name: "file")
        self.writer = writer
        switch config.fsync {
        case .never: break
        case .batch: writer.afterWrite = { [weak self] in self?.sync() ?? nil }
        case .interval:
            // A timer, not a check on writes: what was written before a quiet spell is synced too.
            writer.afterWrite = { [weak self] in
                self?.dirty = true
                return nil
            }
            let interval = config.fsyncInterval.dispatch
            let timer = DispatchSource.makeTimerSource(queue: .global())
            timer.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(5))
            timer.setEventHandler { [weak self, weak writer] in
                writer?.submit {
                    guard let self, self.dirty else { return }
                    if let err = self.sync() {
                        self.logger.error("fsync failed", metadata: ["error": "\(String(cString: strerror(err)))"])
                    }
                }
            }
            timer.resume()
            self.timer = timer
        }
    }

    /// fsyncs the file (on the writer thread); returns errno on failure.
    private func sync() -> Int32? {
        let failed = fsync(fd) != 0
        let err = errno
        dirty = false
        syncLock.withLock { _syncs += 1 }
        return failed ? err : nil
    }

    public func write(_ batch: [Message], reporting completion: @escaping @Sendable (_ failed: Int) -> Void) {
        guard let writer else { return completion(batch.count) }
        writer.write(batch, completion: completion)
    }

    public func close(completion: @escaping @Sendable () -> Void) {
        timer?.cancel()
        timer = nil
        guard let writer else { return completion() }
        if config.fsync != .never {
            writer.submit { [self] in _ = sync() }
        }
        writer.close(closeFD: true, completion: completion)
    }
}
