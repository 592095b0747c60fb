import JunctionJSON
import RTMPlugin
import Testing

@Suite("RTM messages")
struct RTMMessageTests {
    private func decode(_ text: String) throws(RTMProtocolError) -> RTMMessage {
        try RTMMessage.decode(Array(text.utf8))
    }

    private func refusal(_ text: String) -> String? {
        do {
            _ = try decode(text)
            return nil
        } catch {
            return error.message
        }
    }

    @Test("The seed's examples decode, unknown members included")
    func seedExamples() throws {
        let start = try decode(#"""
            {"type":"session_start","client_id":"client-3987830","session_id":"2633650b-9e24-4872-aec5-b39cdfc65ebf",
             "data":{"sdp":{"type":"offer","sdp":"v=0\r\n"},"webhook_url":"https://yourserver.com/streamrec","version":"v1.2.3","future":{"x":1}},
             "extra":true}
            """#)
        #expect(start.clientID == "client-3987830")
        #expect(start.sessionID == "2633650b-9e24-4872-aec5-b39cdfc65ebf")
        #expect(start.request == .sessionStart(
            sdp: RTMSessionDescription(type: "offer", sdp: "v=0\r\n"), webhookURL: "https://yourserver.com/streamrec", version: "v1.2.3"))

        let candidate = try decode(#"""
            {"client_id":"client-3987830","session_id":"s","type":"candidate","data":{"candidate":{
             "candidate":"candidate:170793244 1 udp 2122194687 192.168.0.188 44360 typ host generation 0 ufrag AwAs network-id 1",
             "sdpMid":"0","sdpMLineIndex":0,"usernameFragment":"AwAs"}}}
            """#)
        #expect(candidate.request == .candidate(RTMCandidate(
            candidate: "candidate:170793244 1 udp 2122194687 192.168.0.188 44360 typ host generation 0 ufrag AwAs network-id 1",
            sdpMid: "0", sdpMLineIndex: 0, usernameFragment: "AwAs")))

        let join = try decode(#"{"type":"supervisor_join_session","client_id":"sup","session_id":"s2","data":{"sdp":{"type":"offer","sdp":"v=0"},"session_id_to_monitor":"s1"}}"#)
        #expect(join.request == .supervisorJoin(sdp: RTMSessionDescription(type: "offer", sdp: "v=0"), monitoredSession: "s1", webhookURL: nil))
        #expect(try decode(#"{"type":"recording_start","client_id":"c","session_id":"s","data":{"upload_url":"https://u/1"}}"#).request
            == .recordingStart(uploadURL: "https://u/1", webhookURL: nil))
        for (type, request) in [("recording_stop", RTMRequest.recordingStop), ("session_stop", .sessionStop), ("ping", .ping)] {
            #expect(try decode(#"{"type":"\#(type)","client_id":"c","session_id":"s"}"#).request == request)
            #expect(try decode(#"{"type":"\#(type)","client_id":"c","session_id":"s","data":{}}"#).request == request)
        }
        #expect(try decode(#"{"type":"sdp_update","client_id":"c","session_id":"s","data":{"sdp":{"type":"answer","sdp":"v=0"}}}"#).request
            == .sdpUpdate(RTMSessionDescription(type: "answer", sdp: "v=0")))
    }

    @Test("An empty or null candidate ends the client's candidates")
    func endOfCandidates() throws {
        #expect(try decode(#"{"type":"candidate","client_id":"c","session_id":"s","data":{"candidate":null}}"#).request == .candidate(nil))
        #expect(try decode(#"{"type":"candidate","client_id":"c","session_id":"s","data":{"candidate":{"candidate":"","sdpMid":"0"}}}"#).request == .candidate(nil))
    }

    @Test("Malformed messages are refused with a reason", arguments: [
        ("not json", "not JSON"),
        ("[1,2]", "a message is a JSON object, not array"),
        (#"{"client_id":"c","session_id":"s"}"#, "the message needs 'type'"),
        (#"{"type":7,"client_id":"c","session_id":"s"}"#, "'type' must be a string, not number"),
        (#"{"type":"ping","session_id":"s"}"#, "the message needs 'client_id'"),
        (#"{"type":"ping","client_id":"","session_id":"s"}"#, "'client_id' must not be empty"),
        (#"{"type":"ping","client_id":"c\u0001","session_id":"s"}"#, "'client_id' holds control characters"),
        (#"{"type":"dance","client_id":"c","session_id":"s"}"#, "unknown message type 'dance'"),
        (#"{"type":"ping","client_id":"c","session_id":"s","data":[]}"#, "'data' must be an object, not array"),
        (#"{"type":"session_start","client_id":"c","session_id":"s","data":{}}"#, "data needs 'sdp' (an RTCSessionDescription)"),
        (#"{"type":"session_start","client_id":"c","session_id":"s","data":{"sdp":"v=0"}}"#, "'sdp' must be an object {type, sdp}, not string"),
        (#"{"type":"session_start","client_id":"c","session_id":"s","data":{"sdp":{"type":"answer","sdp":"v=0"}}}"#, "'sdp.type' must be 'offer' here, not 'answer'"),
        (#"{"type":"sdp_update","client_id":"c","session_id":"s","data":{"sdp":{"type":"bogus","sdp":"v=0"}}}"#, "'sdp.type' must be offer, answer, pranswer or rollback, not 'bogus'"),
        (#"{"type":"session_start","client_id":"c","session_id":"s","data":{"sdp":{"type":"offer","sdp":"v=0"},"webhook_url":5}}"#, "'webhook_url' must be a string, not number"),
        (#"{"type":"recording_start","client_id":"c","session_id":"s","data":{}}"#, "data needs 'upload_url'"),
        (#"{"type":"candidate","client_id":"c","session_id":"s","data":{"candidate":{"candidate":"x","sdpMLineIndex":-1}}}"#, "'sdpMLineIndex' must be a small non-negative integer, not -1"),
        (#"{"type":"supervisor_join_session","client_id":"c","session_id":"s","data":{"sdp":{"type":"offer","sdp":"v=0"}}}"#, "data needs 'session_id_to_monitor'"),
    ])
    func malformed(text: String, reason: String) {
        let got = refusal(text)
        #expect(got?.hasPrefix(reason) == true, "\(got ?? "accepted")")
    }

    @Test("An over-long id is refused")
    func longID() {
        let id = String(repeating: "a", count: RTMMessage.maxIDLength + 1)
        #expect(refusal(#"{"type":"ping","client_id":"\#(id)","session_id":"s"}"#) == "'client_id' is longer than 256 bytes")
    }

    @Test("Server messages use the RTM envelope and read back as JSON")
    func events() throws {
        let state = RTMEvent.sessionState(.terminated, cause: .terminatedByClient).encoded(clientID: "c-0", sessionID: "s-1")
        #expect(String(decoding: state, as: UTF8.self)
            == #"{"type":"session_state","client_id":"c-0","session_id":"s-1","data":{"state":"TERMINATED","termination_cause":"TERM_BY_CLIENT"}}"#)
        let answer = try JSONValue.parse(RTMEvent.sdpUpdate(RTMSessionDescription(type: "answer", sdp: "v=0\r\na=x\r\n")).encoded(clientID: "c", sessionID: "s"))
        #expect(answer["type"]?.stringValue == "sdp_update")
        #expect(answer["data"]?["sdp"]?["sdp"]?.stringValue == "v=0\r\na=x\r\n")
        let candidate = try JSONValue.parse(RTMEvent.candidate(RTMCandidate(candidate: "candidate:1 1 udp 1 127.0.0.1 5000 typ host", sdpMid: "0", sdpMLineIndex: 0)).encoded(clientID: "c", sessionID: "s"))
        #expect(candidate["data"]?["candidate"]?["sdpMLineIndex"]?.int64Value == 0)
        #expect(candidate["data"]?["candidate"]?["usernameFragment"] == nil)
        let recording = try JSONValue.parse(RTMEvent.recordingState(id: "rec-1", state: .started).encoded(clientID: "c", sessionID: "s"))
        #expect(recording["data"]?["state"]?.stringValue == "STARTED")
        let error = try JSONValue.parse(RTMEvent.error("no \"quotes\"\n", inReplyTo: "ping").encoded(clientID: "c\"", sessionID: "s"))
        #expect(error["data"]?["message"]?.stringValue == "no \"quotes\"\n")
        #expect(error["client_id"]?.stringValue == "c\"")
        #expect(String(decoding: RTMEvent.pong.encoded(clientID: "c", sessionID: "s"), as: UTF8.self) == #"{"type":"pong","client_id":"c","session_id":"s","data":{}}"#)
    }
}
