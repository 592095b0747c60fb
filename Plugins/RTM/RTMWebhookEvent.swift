import Foundation
import JunctionJSON

/// The webhooks an RTM session sends (HTTP POST, `application/json`) to the
/// `webhook_url` a client gave: `upload_ready` and `upload_failed` to the
/// recording's (or else the session's) URL, `session_finished` and
/// `supervisor_session_finished` to the session's.
///
/// ```swift
/// let body = RTMWebhookEvent.uploadFailed(recordingID: "rec-1", clientID: "c-0", statusCode: 503).body
/// // {"status":"upload_failed","msg":"the upload URL answered 503, not 200","rec_id":"rec-1","client_id":"c-0","upload_status_code":503}
/// ```
public enum RTMWebhookEvent: Sendable, Equatable {
    /// The recording was PUT to its `upload_url`, which answered 200.
    case uploadReady(recordingID: String, clientID: String, recording: RTMRecordingWriter.Summary)
    /// The upload got another answer (`statusCode`), or none (0: the transfer failed).
    case uploadFailed(recordingID: String, clientID: String, statusCode: Int)
    /// A client session ended.
    case sessionFinished(sessionID: String, clientID: String, cause: RTMTerminationCause, startedAt: Date, stoppedAt: Date)
    /// A supervisor session ended.
    case supervisorSessionFinished(sessionID: String, clientID: String, monitoredSession: String, cause: RTMTerminationCause, startedAt: Date, stoppedAt: Date)

    /// The `status` field: the event's name.
    public var status: String {
        switch self {
        case .uploadReady: return "upload_ready"
        case .uploadFailed: return "upload_failed"
        case .sessionFinished: return "session_finished"
        case .supervisorSessionFinished: return "supervisor_session_finished"
        }
    }

    /// The JSON object sent.
    public var json: JSONValue {
        var m: [(key: String, value: JSONValue)] = [("status", .string(status))]
        switch self {
        case .uploadReady(let id, let client, let r):
            m += [
                ("msg", .string("the recording was uploaded")), ("rec_id", .string(id)), ("client_id", .string(client)),
                ("recording_started_at", .string(RTMRecordingWriter.iso(r.startedAt))),
                ("recording_first_frame_written_at", r.firstMessageAt.map { .string(RTMRecordingWriter.iso($0)) } ?? .null),
                ("recording_stopped_at", .string(RTMRecordingWriter.iso(r.stoppedAt))),
                ("recording_file_duration_ms", .number(Double(r.durationMs))),
                ("recording_file_size_bytes", .number(Double(r.bytes))),
                ("recording_messages", .number(Double(r.messages))),
            ]
        case .uploadFailed(let id, let client, let code):
            let why = code == 0 ? "the upload URL could not be reached" : "the upload URL answered \(code), not 200"
            m += [("msg", .string(why)), ("rec_id", .string(id)), ("client_id", .string(client)), ("upload_status_code", .number(Double(code)))]
        case .sessionFinished(let session, let client, let cause, let started, let stopped):
            m += [
                ("msg", .string("the session ended: \(cause.rawValue)")), ("client_id", .string(client)), ("session_id", .string(session)),
                ("termination_cause", .string(cause.rawValue)),
                ("started_at", .string(RTMRecordingWriter.iso(started))), ("stopped_at", .string(RTMRecordingWriter.iso(stopped))),
            ]
        case .supervisorSessionFinished(let session, let client, let monitored, let cause, let started, let stopped):
            m += [
                ("msg", .string("the supervisor session ended: \(cause.rawValue)")), ("client_id", .string(client)),
                ("session_id", .string(session)), ("session_id_to_monitor", .string(monitored)),
                ("termination_cause", .string(cause.rawValue)),
                ("started_at", .string(RTMRecordingWriter.iso(started))), ("stopped_at", .string(RTMRecordingWriter.iso(stopped))),
            ]
        }
        return .object(m)
    }

    /// The request body (UTF-8 JSON).
    public var body: [UInt8] { Array(json.description.utf8) }
}
