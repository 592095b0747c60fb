import DataChannelPlugin
import Foundation
import JunctionNet
import JunctionRTC

/// `recording_start` / `recording_stop`: the session's data-channel traffic,
/// both ways, goes to a `junction-rtm-recording/1` file, which is PUT to the
/// `upload_url` when the recording stops (or the session ends). Exactly 200
/// is success (`upload_ready`); anything else is `upload_failed` and the
/// file stays on disk.
extension RTMServer {
    func startRecording(_ message: RTMMessage, uploadURL: String, webhookURL: String?, on connection: RTMClientConnection) {
        guard var session = connection.session, session.state.isLive, session.monitoring == nil else {
            return refuse(connection, "recording_start needs a live client session on this connection", inReplyTo: message.type)
        }
        guard session.recording == nil else {
            return refuse(connection, "a recording is already running; send recording_stop first", inReplyTo: message.type)
        }
        for (field, url) in [("upload_url", uploadURL), ("webhook_url", webhookURL)] {
            if let url, let why = config.urlPolicy.check(url, field: field) { return refuse(connection, why, inReplyTo: message.type) }
        }
        let id = "rec-" + UUID().uuidString.lowercased()
        let writer: RTMRecordingWriter
        do {
            try FileManager.default.createDirectory(atPath: recordingsDirectory, withIntermediateDirectories: true)
            writer = try RTMRecordingWriter(path: recordingsDirectory + "/" + id + ".jsonl", recordingID: id, sessionID: session.id, clientID: session.clientID)
        } catch {
            logger.error("could not open a recording file", metadata: ["directory": "\(recordingsDirectory)", "error": "\(error)"])
            connection.send(.recordingState(id: id, state: .failed))
            return
        }
        session.recording = RTMClientConnection.Recording(id: id, writer: writer, uploadURL: uploadURL, webhookURL: webhookURL)
        if session.tap == nil, let hub {
            session.tap = hub.tap(session: session.id, tapHandler(socketID: connection.socket.id))
        }
        connection.session = session
        recordings.increment()
        connection.send(.recordingState(id: id, state: .started))
        logger.info("RTM recording started", metadata: ["session": "\(session.id)", "recording": "\(id)"])
    }

    /// A message of a tapped session: into its recording, and copied to its supervisors.
    func tapHandler(socketID: UInt64) -> DataChannelHub.Tap {
        { [weak self] direction, label, message in
            guard let self else { return }
            queue.async { self.tapped(socketID, direction, label, message) }
        }
    }

    private func tapped(_ socketID: UInt64, _ direction: DataChannelHub.TapDirection, _ label: String, _ message: DataChannelMessage) {
        guard let connection = connections[socketID], let session = connection.session else { return }
        if let recording = session.recording {
            let (bytes, isText): ([UInt8], Bool) = switch message {
            case .text(let text): (Array(text.utf8), true)
            case .binary(let bytes): (bytes, false)
            }
            do {
                try recording.writer.append(direction: direction == .received ? .in : .out, label: label, payload: bytes, isText: isText)
            } catch {
                logger.error("could not write to a recording", metadata: ["recording": "\(recording.id)", "error": "\(error)"])
            }
        }
        copyToSupervisors(of: session, label: label, message: message)
    }

    /// Stops the connection's recording (if any): STOPPED, then the upload
    /// and its webhook. Also run when the session ends.
    func stopRecording(_ connection: RTMClientConnection) {
        guard var session = connection.session, let recording = session.recording else { return }
        session.recording = nil
        connection.session = session
        untapIfIdle(connection)
        let summary: RTMRecordingWriter.Summary
        do {
            summary = try recording.writer.finish()
        } catch {
            logger.error("could not finish a recording", metadata: ["recording": "\(recording.id)", "error": "\(error)"])
            connection.send(.recordingState(id: recording.id, state: .failed))
            return
        }
        connection.send(.recordingState(id: recording.id, state: .stopped))
        let hookURL = recording.webhookURL ?? session.webhookURL
        let clientID = session.clientID
        let recordingID = recording.id
        let socketID = connection.socket.id
        uploader?.put(fileAt: summary.path, to: recording.uploadURL, headers: [("Content-Type", "application/x-ndjson")]) { [weak self] result in
            guard let self else { return }
            queue.async {
                switch result {
                case .success:
                    try? FileManager.default.removeItem(atPath: summary.path)
                    self.logger.info("RTM recording uploaded", metadata: ["recording": "\(recordingID)", "bytes": "\(summary.bytes)"])
                    if let hookURL { self.webhookSender?.post(.uploadReady(recordingID: recordingID, clientID: clientID, recording: summary), to: hookURL) }
                case .failure(let error):
                    self.uploadFailures.increment()
                    self.logger.warning("RTM recording upload failed; the file stays", metadata: [
                        "recording": "\(recordingID)", "path": "\(summary.path)", "error": "\(error)",
                    ])
                    self.connections[socketID]?.send(.recordingState(id: recordingID, state: .failed))
                    var status = 0
                    if case .status(let code, _) = error { status = code }
                    if let hookURL { self.webhookSender?.post(.uploadFailed(recordingID: recordingID, clientID: clientID, statusCode: status), to: hookURL) }
                }
            }
        }
    }

    /// Drops the session's tap once neither a recording nor supervisors need it.
    func untapIfIdle(_ connection: RTMClientConnection) {
        guard var session = connection.session, let token = session.tap, session.recording == nil,
              table.entry(session.id)?.supervisors.isEmpty ?? true else { return }
        hub?.untap(session: session.id, token: token)
        session.tap = nil
        connection.session = session
    }
}
