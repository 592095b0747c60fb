import Foundation
import Junction
import Logging

/// Config of the `stdout` sink.
public struct StdoutConfig: ComponentConfig {
    public var codec: StdioCodec = .lines

    public init() {}

    public static let fields: [ConfigField<StdoutConfig>] = [
        .field("codec", \.codec, "How messages become bytes: lines (newline after each), raw, or 4-byte length-delimited frames."),
    ]
}

/// Writes to standard output on its own thread; a reader that does not keep
/// up makes write(2) block, which holds the batch and pauses the sources.
///
/// ```yaml
/// sinks:
///   out: { type: stdout }
/// ```
public final class StdoutSink: ReportingSink {
    private let writer: FDWriter

    public init(config: StdoutConfig, context: ComponentContext, fd: Int32 = STDOUT_FILENO) {
        writer = FDWriter(fd: fd, codec: config.codec, logger: context.logger, name: "stdout")
    }

    public func write(_ batch: [Message], reporting completion: @escaping @Sendable (_ failed: Int) -> Void) {
        writer.write(batch, completion: completion)
    }

    public func close(completion: @escaping @Sendable () -> Void) { writer.close(closeFD: false, completion: completion) }
}

/// Encodes batches and writes them to a descriptor on a dedicated thread.
/// After a write fails, every later batch is reported failed, not written.
final class FDWriter: @unchecked Sendable {
    private let fd: Int32
    private let codec: StdioCodec
    private let logger: Logger
    private let thread: BlockingWriter
    private var failed = false  // writer-thread confined
    private var buffer: [UInt8] = []
    /// Runs on the writer thread after each successful write; returns errno when the
    /// batch must count as failed after all (a failed fsync).
    var afterWrite: (() -> Int32?)?

    init(fd: Int32, codec: StdioCodec, logger: Logger, name: String) {
        self.fd = fd
        self.codec = codec
        self.logger = logger
        self.thread = BlockingWriter(name: "junction.\(name)")
        thread.start()
    }

    /// Writes a batch; `completion` gets the number of its messages that were not written.
    func write(_ batch: [Message], completion: @escaping @Sendable (_ failed: Int) -> Void) {
        thread.submit { [self] in
            guard !failed else { return completion(batch.count) }
            buffer.removeAll(keepingCapacity: true)
            StreamEncoder.encode(batch, codec: codec, into: &buffer)
            if let err = writeAll(fd, buffer) {
                failed = true
                logger.error("write failed; further messages are discarded", metadata: ["error": "\(String(cString: strerror(err)))"])
                return completion(batch.count)
            }
            if let err = afterWrite?() {
                logger.error("fsync failed; the batch is not known to be on disk", metadata: ["error": "\(String(cString: strerror(err)))"])
                return completion(batch.count)
            }
            completion(0)
        }
    }

    /// Runs `job` on the writer thread, after the writes submitted before it.
    func submit(_ job: @escaping () -> Void) { thread.submit(job) }

    func close(closeFD: Bool, completion: @escaping @Sendable () -> Void) {
        thread.submit { [self] in
            if closeFD { Foundation.close(fd) }
            completion()
        }
        thread.finish()
    }
}
