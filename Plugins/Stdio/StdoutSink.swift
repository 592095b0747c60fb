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
public final class StdoutSink: Sink {
    private let writer: FDWriter

    public init(config: StdoutConfig, context: ComponentContext, fd: Int32 = STDOUT_FILENO) {
        writer = FDWriter(fd: fd, codec: config.codec, logger: context.logger, name: "stdout")
    }

    public func write(_ batch: [Message], completion: @escaping @Sendable () -> Void) { writer.write(batch, completion: completion) }
    public func close(completion: @escaping @Sendable () -> Void) { writer.close(closeFD: false, completion: completion) }
}

/// Encodes batches and writes them to a descriptor on a dedicated thread.
final class FDWriter: @unchecked Sendable {
    private let fd: Int32
    private let codec: StdioCodec
    private let logger: Logger
    private let thread: BlockingWriter
    private var failed = false  // writer-thread confined
    private var buffer: [UInt8] = []
    var afterWrite: (() -> Void)?

    init(fd: Int32, codec: StdioCodec, logger: Logger, name: String) {
        self.fd = fd
        self.codec = codec
        self.logger = logger
        self.thread = BlockingWriter(name: "junction.\(name)")
    }

    func write(_ batch: [Message], completion: @escaping @Sendable () -> Void) {
        thread.submit { [self] in
            defer { completion() }
            guard !failed else { return }
            buffer.removeAll(keepingCapacity: true)
            StreamEncoder.encode(batch, codec: codec, into: &buffer)
            if let err = writeAll(fd, buffer) {
                failed = true
                logger.error("write failed; further messages are discarded", metadata: ["error": "\(String(cString: strerror(err)))"])
                return
            }
            afterWrite?()
        }
    }

    func close(closeFD: Bool, completion: @escaping @Sendable () -> Void) {
        thread.submit { [self] in
            if closeFD { Foundation.close(fd) }
            completion()
        }
        thread.finish()
    }
}
