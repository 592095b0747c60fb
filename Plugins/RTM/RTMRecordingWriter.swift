import Foundation
import JunctionJSON

/// Writes a session's data-channel traffic to a recording file, in the
/// documented format `junction-rtm-recording/1`: JSON Lines, UTF-8.
///
/// The first line describes the recording:
/// `{"format":"junction-rtm-recording/1","recording_id":"…","session_id":"…","client_id":"…","started_at":"2026-12-02T20:30:00.123Z"}`.
/// Each following line is one message, in the order Junction saw them:
/// `{"t_ms":15,"at":"…","direction":"in","label":"chat","kind":"text","data":"hello"}`;
/// `t_ms` counts milliseconds from `started_at`, `direction` is `in` (from
/// the client) or `out` (to it), and binary messages carry `kind":"binary"`
/// and their bytes in base64.
///
/// Not thread-safe: one session's queue owns it.
///
/// ```swift
/// let writer = try RTMRecordingWriter(path: "/tmp/rec-1.jsonl", recordingID: "rec-1", sessionID: "s-1", clientID: "c-0")
/// try writer.append(direction: .in, label: "chat", payload: Array("hi".utf8), isText: true)
/// let summary = try writer.finish()   // bytes, messages, first and last times
/// ```
public final class RTMRecordingWriter {
    /// The format name on the first line.
    public static let format = "junction-rtm-recording/1"

    public enum Direction: String, Sendable {
        case `in`
        case out
    }

    /// What a finished recording holds.
    public struct Summary: Equatable, Sendable {
        public let path: String
        public let bytes: Int
        public let messages: Int
        public let startedAt: Date
        public let firstMessageAt: Date?
        public let stoppedAt: Date
        /// From the first to the last message, in milliseconds (0 with fewer than two).
        public let durationMs: Int
    }

    public let path: String
    private let handle: FileHandle
    private let startedAt: Date
    private let clock: @Sendable () -> Date
    private var buffer: [UInt8] = []
    private var bytes = 0
    private var messages = 0
    private var firstMessageAt: Date?
    private var lastMessageAt: Date?
    private var finished = false

    /// Flushes to the file whenever this much is buffered.
    private static let flushSize = 64 * 1024

    /// Creates (or truncates) the file and writes the header line.
    public init(
        path: String, recordingID: String, sessionID: String, clientID: String,
        clock: @escaping @Sendable () -> Date = Date.init
    ) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        self.path = path
        self.clock = clock
        startedAt = clock()
        try line([
            ("format", .string(Self.format)), ("recording_id", .string(recordingID)), ("session_id", .string(sessionID)),
            ("client_id", .string(clientID)), ("started_at", .string(Self.iso(startedAt))),
        ])
    }

    deinit { try? handle.close() }

    /// Records one message.
    public func append(direction: Direction, label: String, payload: [UInt8], isText: Bool) throws {
        precondition(!finished, "append after finish")
        let now = clock()
        if firstMessageAt == nil { firstMessageAt = now }
        lastMessageAt = now
        messages += 1
        let data: String = isText ? String(decoding: payload, as: UTF8.self) : Data(payload).base64EncodedString()
        try line([
            ("t_ms", .number((now.timeIntervalSince(startedAt) * 1000).rounded())), ("at", .string(Self.iso(now))),
            ("direction", .string(direction.rawValue)), ("label", .string(label)),
            ("kind", .string(isText ? "text" : "binary")), ("data", .string(data)),
        ])
    }

    /// Flushes and closes the file; returns what it holds.
    public func finish() throws -> Summary {
        if !finished {
            finished = true
            try flush()
            try handle.synchronize()
            try handle.close()
        }
        var duration = 0
        if let first = firstMessageAt, let last = lastMessageAt {
            duration = Int((last.timeIntervalSince(first) * 1000).rounded())
        }
        return Summary(
            path: path, bytes: bytes, messages: messages, startedAt: startedAt, firstMessageAt: firstMessageAt,
            stoppedAt: clock(), durationMs: duration)
    }

    private func line(_ members: [(key: String, value: JSONValue)]) throws {
        buffer.append(contentsOf: JSONValue.object(members).description.utf8)
        buffer.append(0x0A)
        if buffer.count >= Self.flushSize { try flush() }
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        try handle.write(contentsOf: buffer)
        bytes += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }

    /// `2026-12-02T20:30:00.123Z`.
    static func iso(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
