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
public final class FileSource: Source, @unchecked Sendable {
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

    /// Reads that failed (other than EINTR); each is logged, then the file is reopened.
    public var readErrors: Int { errorLock.withLock { _readErrors } }
    private let errorLock = NSLock()
    private var _readErrors = 0  // under errorLock

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
        /// After a read error: the file to reopen at the offset reached (same inode only).
        var resume: (inode: ino_t, offset: off_t)?
        var failing = false  // inside a run of read errors (logged once)

        /// The old content ended: a last line without its newline is a message of its own,
        /// not the start of the new content's first line (tail -F prints it too).
        func endOfContent() {
            var last: [Message] = []
            let cut = decoder.incomplete
            decoder.finish(into: &last, metadata: metadata)
            if decoder.incomplete > cut {
                logger.warning("a frame cut off by rotation or truncation was dropped", metadata: ["path": "\(path)"])
            }
            if !last.isEmpty, !control.isStopped { output.emit(last) }
        }

        enum Drained { case caughtUp, failed, stopped }

        /// Reads what is there now.
        func drain(_ f: inout OpenFile) -> Drained {
            while control.waitWhilePaused() {
                let n = read(f.fd, buffer.baseAddress, size)
                if n < 0 {
                    let err = errno
                    if err == EINTR { continue }
                    errorLock.withLock { _readErrors += 1 }
                    if !failing {
                        logger.error("read failed; reopening the file", metadata: [
                            "path": "\(path)", "errno": "\(err)", "error": "\(String(cString: strerror(err)))",
                        ])
                        failing = true
                    }
                    return .failed
                }
                if n == 0 { return .caughtUp }
                if failing {
                    logger.info("reading again", metadata: ["path": "\(path)"])
                    failing = false
                }
                f.offset += off_t(n)
                var batch: [Message] = []
                decoder.decode(UnsafeRawBufferPointer(rebasing: buffer[0..<n]), into: &batch, metadata: metadata)
                if decoder.oversized > reported {
                    logger.warning("frames over max_message_size skipped", metadata: ["count": "\(decoder.oversized - reported)"])
                    reported = decoder.oversized
                }
                if !batch.isEmpty { output.emit(batch) }
            }
            return .stopped
        }

        loop: while !control.isStopped {
            if var f = file {
                switch drain(&f) {
                case .stopped: break loop
                case .failed:
                    // Not the end of the file: close it and open it again after a pause, where we were.
                    close(f.fd)
                    file = nil
                    resume = (f.inode, f.offset)
                case .caughtUp:
                    file = f
                    var st = stat()
                    if stat(path, &st) == 0 {
                        if st.st_ino != f.inode {
                            // Rotated: finish the old file, then start the new one from its beginning.
                            if case .stopped = drain(&f) { break loop }
                            close(f.fd)
                            endOfContent()
                            logger.info("file rotated; reopening", metadata: ["path": "\(path)"])
                            file = openFile(seekToEnd: false)
                            continue
                        } else if st.st_size < f.offset {
                            endOfContent()
                            logger.info("file truncated; reading from the start", metadata: ["path": "\(path)"])
                            lseek(f.fd, 0, SEEK_SET)
                            file?.offset = 0
                            continue
                        }
                    }
                }
            } else if var f = openFile(seekToEnd: false) {
                if let r = resume {
                    resume = nil
                    if r.inode == f.inode {
                        // The same file as before a read error: go on where we were.
                        f.offset = lseek(f.fd, r.offset, SEEK_SET) < 0 ? 0 : r.offset
                    } else {
                        endOfContent()
                    }
                }
                file = f
                continue
            }
            guard control.sleep(config.pollInterval.value) else { break }
        }
        if let f = file { close(f.fd) }
        output.finish()
    }
}
