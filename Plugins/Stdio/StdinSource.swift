import Foundation
import Junction
import Logging

/// Config of the `stdin` source.
public struct StdinConfig: ComponentConfig {
    public var codec: StdioCodec = .lines
    public var maxMessageSize: ByteSize = ByteSize(1 << 20)
    public var readSize: ByteSize = ByteSize(64 << 10)

    public init() {}

    public static let fields: [ConfigField<StdinConfig>] = [
        .field("codec", \.codec, "How bytes become messages: lines (text), raw chunks, or 4-byte length-delimited frames."),
        .field("max_message_size", \.maxMessageSize, "Longer frames are skipped, counted and logged."),
        .field("read_size", \.readSize, "Bytes asked of each read(2)."),
    ]
}

/// Reads standard input on its own thread. Pausing stops the reads, so a
/// writer on the other side of the pipe blocks.
///
/// ```yaml
/// sources:
///   lines: { type: stdin, codec: lines }
/// ```
public final class StdinSource: Source {
    private let reader: FDReader

    public init(config: StdinConfig, context: ComponentContext, fd: Int32 = STDIN_FILENO) {
        reader = FDReader(fd: fd, closeWhenDone: false, codec: config.codec, maxMessageSize: config.maxMessageSize.bytes,
                          readSize: config.readSize.bytes, metadata: [:], logger: context.logger, name: "stdin")
    }

    public func start(_ output: any SourceOutput) throws { reader.start(output) }
    public func pause() { reader.control.pause() }
    public func resume() { reader.control.resume() }
    public func stop() { reader.control.stop() }
}

/// Reads a file descriptor to its end on a dedicated thread, decoding frames.
final class FDReader: @unchecked Sendable {
    let control: PauseSwitch
    private let fd: Int32
    private let closeWhenDone: Bool
    private let codec: StdioCodec
    private let maxMessageSize: Int
    private let readSize: Int
    private let metadata: [String: String]
    private let logger: Logger
    private let name: String

    init(fd: Int32, closeWhenDone: Bool, codec: StdioCodec, maxMessageSize: Int, readSize: Int,
         metadata: [String: String], logger: Logger, name: String, control: PauseSwitch = PauseSwitch()) {
        self.control = control
        self.fd = fd
        self.closeWhenDone = closeWhenDone
        self.codec = codec
        self.maxMessageSize = maxMessageSize
        self.readSize = max(4096, readSize)
        self.metadata = metadata
        self.logger = logger
        self.name = name
    }

    func start(_ output: any SourceOutput) {
        let thread = Thread { [self] in run(output) }
        thread.name = "junction.\(name)"
        thread.start()
    }

    private func run(_ output: any SourceOutput) {
        var decoder = StreamDecoder(codec: codec, maxMessageSize: maxMessageSize)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: readSize, alignment: 16)
        defer {
            buffer.deallocate()
            if closeWhenDone { close(fd) }
        }
        var reported = 0
        while control.waitWhilePaused() {
            let n = read(fd, buffer.baseAddress, readSize)
            if n < 0 {
                if errno == EINTR { continue }
                logger.error("read failed", metadata: ["errno": "\(errno)", "error": "\(String(cString: strerror(errno)))"])
                break
            }
            if n == 0 { break }
            var batch: [Message] = []
            decoder.decode(UnsafeRawBufferPointer(rebasing: buffer[0..<n]), into: &batch, metadata: metadata)
            if decoder.oversized > reported {
                logger.warning("frames over max_message_size skipped", metadata: ["count": "\(decoder.oversized - reported)", "max": "\(maxMessageSize)"])
                reported = decoder.oversized
            }
            if !batch.isEmpty { output.emit(batch) }
        }
        var last: [Message] = []
        decoder.finish(into: &last, metadata: metadata)
        if !last.isEmpty, !control.isStopped { output.emit(last) }
        output.finish()
    }
}
