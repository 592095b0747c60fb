import Foundation
import Junction
import Logging

/// Reads a file once, or follows it like `tail -F`: new lines as they are
/// appended, from the start of a new file after rotation, from offset 0
/// after truncation. Pausing stops the reads.
///
/// ```yaml
/// sources:
///   app: { type: file, path: /var/log/app.log, follow: true }
/// ```
public final class FileSource: Source {
    private let config: FileSourceConfig
    private let path: String
    private let logger: Logger
    private let control = PauseSwitch()

    public init(config: FileSourceConfig, context: ComponentContext) {
        self.config = config
        self.path = context.resolve(path: config.path)
        self.logger = context.logger
    }

    public func start(_ output: any SourceOutput) throws {
        if !config.follow {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw ConfigDiagnostic("cannot open '\(path)': \(String(cString: strerror(errno)))") }
            let reader = FDReader(fd: fd, closeWhenDone: true, codec: config.codec, maxMessageSize: config.maxMessageSize.bytes,
                                  readSize: 64 << 10, metadata: ["path": path], logger: logger, name: "file", control: control)
            reader.start(output)
            return
        }
        let thread = Thread { [self] in follow(output) }
        thread.name = "junction.file"
        thread.start()
    }

    public func pause() { control.pause() }
    public func resume() { control.resume() }
    public func stop() { control.stop() }

    private struct OpenFile {
        var fd: Int32
        var inode: ino_t
        var offset: off_t
    }

    private func openFile(seekToEnd: Bool) -> OpenFile? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        var st = stat()
        fstat(fd, &st)
        let offset = seekToEnd ? lseek(fd, 0, SEEK_END) : 0
        return OpenFile(fd: fd, inode: st.st_ino, offset: offset)
    }

    private func follow(_ output: any SourceOutput) {
        let metadata = ["path": path]
        var decoder = StreamDecoder(codec: config.codec, maxMessageSize: config.maxMessageSize.bytes)
        let size = 64 << 10
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        var file = openFile(seekToEnd: config.startAt == .end)
        if file == nil { logger.info("waiting for file to appear", metadata: ["path": "\(path)"]) }
        var reported = 0

        /// Reads what is there now; returns false when stopped.
        func drain(_ f: inout OpenFile) -> Bool {
            while control.waitWhilePaused() {
                let n = read(f.fd, buffer.baseAddress, size)
                if n < 0, errno == EINTR { continue }
                if n <= 0 { return true }
                f.offset += off_t(n)
                var batch: [Message] = []
                decoder.decode(UnsafeRawBufferPointer(rebasing: buffer[0..<n]), into: &batch, metadata: metadata)
                if decoder.oversized > reported {
                    logger.warning("frames over max_message_size skipped", metadata: ["count": "\(decoder.oversized - reported)"])
                    reported = decoder.oversized
                }
                if !batch.isEmpty { output.emit(batch) }
            }
            return false
        }

        while !control.isStopped {
            if var f = file {
                guard drain(&f) else { break }
                file = f
                var st = stat()
                if stat(path, &st) == 0 {
                    if st.st_ino != f.inode {
                        // Rotated: finish the old file, then start the new one from its beginning.
                        guard drain(&f) else { break }
                        close(f.fd)
                        logger.info("file rotated; reopening", metadata: ["path": "\(path)"])
                        file = openFile(seekToEnd: false)
                        continue
                    } else if st.st_size < f.offset {
                        logger.info("file truncated; reading from the start", metadata: ["path": "\(path)"])
                        lseek(f.fd, 0, SEEK_SET)
                        file?.offset = 0
                        continue
                    }
                }
            } else {
                file = openFile(seekToEnd: false)
                if file != nil { continue }
            }
            guard control.sleep(config.pollInterval.value) else { break }
        }
        if let f = file { close(f.fd) }
        output.finish()
    }
}
