import Foundation
import Junction

/// Where a `file` source starts reading.
public enum FileStart: String, ConfigEnum {
    case beginning
    case end
}

/// When the `file` sink calls fsync(2).
public enum FsyncPolicy: String, ConfigEnum {
    /// Leave it to the kernel.
    case never
    /// After every batch, before the batch counts as written.
    case batch
    /// At most once per `fsync_interval`.
    case interval
}

/// Config of the `file` source.
public struct FileSourceConfig: ComponentConfig, LoopbackResource {
    public var path = ""
    public var codec: StdioCodec = .lines
    public var follow = false
    public var startAt: FileStart = .beginning
    public var pollInterval: Seconds = 0.25
    public var maxMessageSize: ByteSize = ByteSize(1 << 20)

    public init() {}

    public static let fields: [ConfigField<FileSourceConfig>] = [
        .field("path", \.path, "The file to read.", required: true),
        .field("codec", \.codec, "How bytes become messages."),
        .field("follow", \.follow, "Keep reading as the file grows, across rotation and truncation (like tail -F); otherwise stop at its end."),
        .field("start_at", \.startAt, "With follow: read the existing content (beginning) or only what is appended (end)."),
        .field("poll_interval", \.pollInterval, "With follow: how often to look for growth and rotation."),
        .field("max_message_size", \.maxMessageSize, "Longer frames are skipped, counted and logged."),
    ]

    /// The shortest `poll_interval`: polling faster would spin.
    public static let minimumPollInterval: Seconds = 0.01

    public func validate() throws {
        if path.isEmpty { throw ConfigDiagnostic.field("path", "path must not be empty") }
        if pollInterval < Self.minimumPollInterval {
            throw ConfigDiagnostic.field("poll_interval", "poll_interval must be at least \(Self.minimumPollInterval.configDescription)", hint: "e.g. 250ms")
        }
    }

    public var loopbackKey: String? { loopbackKey(relativeTo: ".") }

    public func loopbackKey(relativeTo baseDirectory: String) -> String? {
        follow ? "file:" + canonicalPath(path, relativeTo: baseDirectory) : nil
    }
}

/// Config of the `file` sink.
public struct FileSinkConfig: ComponentConfig, LoopbackResource {
    public var path = ""
    public var codec: StdioCodec = .lines
    public var fsync: FsyncPolicy = .never
    public var fsyncInterval: Seconds = 1

    public init() {}

    public static let fields: [ConfigField<FileSinkConfig>] = [
        .field("path", \.path, "The file to append to; created with its directories.", required: true),
        .field("codec", \.codec, "How messages become bytes."),
        .field("fsync", \.fsync, "When to fsync: never, after every batch, or at an interval."),
        .field("fsync_interval", \.fsyncInterval, "With fsync: interval, the longest time between fsyncs."),
    ]

    /// The shortest `fsync_interval`: a shorter one would keep the disk busy for nothing.
    public static let minimumFsyncInterval: Seconds = 0.01

    public func validate() throws {
        if path.isEmpty { throw ConfigDiagnostic.field("path", "path must not be empty") }
        if fsync == .interval, fsyncInterval < Self.minimumFsyncInterval {
            throw ConfigDiagnostic.field("fsync_interval", "fsync_interval must be at least \(Self.minimumFsyncInterval.configDescription)", hint: "or use fsync: batch")
        }
    }

    public var loopbackKey: String? { loopbackKey(relativeTo: ".") }

    public func loopbackKey(relativeTo baseDirectory: String) -> String? {
        "file:" + canonicalPath(path, relativeTo: baseDirectory)
    }
}

/// One spelling per file: relative to the config's directory (as the
/// components resolve it), absolute, `.`/`..` removed, symlinks resolved.
/// A file that does not exist yet gets its directory resolved.
func canonicalPath(_ path: String, relativeTo baseDirectory: String) -> String {
    let resolved = ComponentContext.resolve(path: path, against: baseDirectory)
    let standard = URL(fileURLWithPath: resolved).standardizedFileURL.path
    if let real = realPath(standard) { return real }
    let name = (standard as NSString).lastPathComponent
    let dir = (standard as NSString).deletingLastPathComponent
    guard let realDir = realPath(dir) else { return standard }
    return realDir == "/" ? "/" + name : realDir + "/" + name
}

/// realpath(3): absolute, symlinks resolved; nil when the path does not exist.
private func realPath(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
}
