import Foundation
import JunctionJSON
import RTMPlugin
import Synchronization
import Testing

@Suite("RTM recordings and webhooks")
struct RTMRecordingTests {
    /// A clock that moves only when told to.
    final class Clock: Sendable {
        private let now = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
        func advance(_ seconds: Double) { now.withLock { $0 = $0.addingTimeInterval(seconds) } }
        var read: @Sendable () -> Date { { self.now.withLock { $0 } } }
    }

    @Test("The file is JSON Lines: a header, then each message with offset, direction, label and kind")
    func format() throws {
        let path = NSTemporaryDirectory() + "rtm-rec-\(UUID().uuidString).jsonl"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let clock = Clock()
        let writer = try RTMRecordingWriter(path: path, recordingID: "rec-1", sessionID: "s-1", clientID: "c-0", clock: clock.read)
        clock.advance(0.015)
        try writer.append(direction: .in, label: "chat", payload: Array("hello \"you\"\n".utf8), isText: true)
        clock.advance(1.5)
        try writer.append(direction: .out, label: "bin", payload: [0, 1, 2, 255], isText: false)
        try writer.append(direction: .out, label: "chat", payload: [], isText: true)
        let summary = try writer.finish()

        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(summary.bytes == text.utf8.count)
        #expect(summary.messages == 3)
        #expect(summary.durationMs == 1500)
        let header = try JSONValue.parse(lines[0])
        #expect(header["format"]?.stringValue == RTMRecordingWriter.format)
        #expect(header["recording_id"]?.stringValue == "rec-1")
        #expect(header["started_at"]?.stringValue == "2027-01-15T08:00:00.000Z")
        let first = try JSONValue.parse(lines[1])
        #expect(first["t_ms"]?.int64Value == 15)
        #expect(first["direction"]?.stringValue == "in")
        #expect(first["kind"]?.stringValue == "text")
        #expect(first["data"]?.stringValue == "hello \"you\"\n")
        let second = try JSONValue.parse(lines[2])
        #expect(second["t_ms"]?.int64Value == 1515)
        #expect(second["kind"]?.stringValue == "binary")
        #expect(second["data"]?.stringValue.flatMap { Data(base64Encoded: $0) }.map(Array.init) == [0, 1, 2, 255])
        #expect(try JSONValue.parse(lines[3])["data"]?.stringValue == "")
    }

    @Test("Webhook bodies carry the documented fields")
    func webhooks() throws {
        let path = NSTemporaryDirectory() + "rtm-rec-\(UUID().uuidString).jsonl"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let clock = Clock()
        let writer = try RTMRecordingWriter(path: path, recordingID: "rec-1", sessionID: "s-1", clientID: "c-0", clock: clock.read)
        try writer.append(direction: .in, label: "chat", payload: Array("x".utf8), isText: true)
        clock.advance(2)
        let summary = try writer.finish()

        let ready = try JSONValue.parse(RTMWebhookEvent.uploadReady(recordingID: "rec-1", clientID: "c-0", recording: summary).body)
        for key in ["status", "msg", "rec_id", "client_id", "recording_started_at", "recording_first_frame_written_at",
                    "recording_stopped_at", "recording_file_duration_ms", "recording_file_size_bytes"] {
            #expect(ready[key] != nil, "upload_ready lacks \(key)")
        }
        #expect(ready["status"]?.stringValue == "upload_ready")
        #expect(ready["recording_file_size_bytes"]?.int64Value == Int64(summary.bytes))
        #expect(ready["recording_stopped_at"]?.stringValue == "2027-01-15T08:00:02.000Z")

        let failed = try JSONValue.parse(RTMWebhookEvent.uploadFailed(recordingID: "rec-1", clientID: "c-0", statusCode: 204).body)
        #expect(failed["upload_status_code"]?.int64Value == 204)
        #expect(failed["msg"]?.stringValue == "the upload URL answered 204, not 200")

        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let finished = try JSONValue.parse(RTMWebhookEvent.sessionFinished(
            sessionID: "s-1", clientID: "c-0", cause: .terminatedByClient, startedAt: start, stoppedAt: start.addingTimeInterval(60)).body)
        #expect(finished["status"]?.stringValue == "session_finished")
        #expect(finished["termination_cause"]?.stringValue == "TERM_BY_CLIENT")
        let supervisor = try JSONValue.parse(RTMWebhookEvent.supervisorSessionFinished(
            sessionID: "v-1", clientID: "sup", monitoredSession: "s-1", cause: .agentSessionTerminated, startedAt: start, stoppedAt: start).body)
        #expect(supervisor["session_id_to_monitor"]?.stringValue == "s-1")
        #expect(supervisor["termination_cause"]?.stringValue == "AGENT_SESSION_TERM")
    }
}
