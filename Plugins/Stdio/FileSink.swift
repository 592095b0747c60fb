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
public final class FileSink: Sink, @unchecked Sendable {
    // `writer` and `fd` are set by start(), which the runtime calls before any write;
    // `lastSync` is touched only on the writer thread.
    private let config: FileSinkConfig
    private let path: String
    private let logger: Logger
    private var writer: FDWriter?
    private var fd: Int32 = -1
    private var lastSync: UInt64 = 0  // writer-thread confined

    public init(config: FileSinkConfig, context: ComponentContext) {
        self.config = config
        self.path = context.resolve(path: config.path)
        self.logger = context.logger
    }

    public func start() throws {
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ConfigDiagnostic("cannot open '\(path)' for appending: \(String(cString: strerror(errno)))") }
        let writer = FDWriter(fd: fd, codec: config.codec, logger: logger, name: "file")
        let fd = self.fd
        switch config.fsync {
        case .never: break
        case .batch: writer.afterWrite = { fsync(fd) }
        case .interval:
            let interval = config.fsyncInterval.nanoseconds
            writer.afterWrite = { [unowned self] in
                let now = DispatchTime.now().uptimeNanoseconds
                if now &- self.lastSync >= interval {
                    fsync(fd)
                    self.lastSync = now
                }
            }
        }
        self.writer = writer
    }

    public func write(_ batch: [Message], completion: @escaping @Sendable () -> Void) {
        guard let writer else { return completion() }
        writer.write(batch, completion: completion)
    }

    public func close(completion: @escaping @Sendable () -> Void) {
        guard let writer else { return completion() }
        let fd = self.fd
        let sync = config.fsync != .never
        writer.write([]) {
            if sync { fsync(fd) }
        }
        writer.close(closeFD: true, completion: completion)
    }
}
