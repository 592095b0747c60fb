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

    public func validate() throws {
        if path.isEmpty { throw ConfigDiagnostic.field("path", "path must not be empty") }
    }

    public var loopbackKey: String? { follow ? "file:" + canonicalPath(path) : nil }
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

    public func validate() throws {
        if path.isEmpty { throw ConfigDiagnostic.field("path", "path must not be empty") }
    }

    public var loopbackKey: String? { "file:" + canonicalPath(path) }
}

func canonicalPath(_ path: String) -> String {
    URL(fileURLWithPath: path).standardizedFileURL.path
}
