import Foundation
import JunctionNet
import JunctionRTC

/// `POST <path>/offer`: an SDP offer in (`application/sdp`, or JSON
/// `{"type":"offer","sdp":…}`), the SDP answer with our candidates out, in
/// the same form (JSON answers also carry `session`; SDP answers carry it in
/// `X-Session-Id`). Bad offers get 400 with `{"error": …}`; a full server 503.
///
/// ```sh
/// curl -X POST -H 'Content-Type: application/sdp' --data-binary @offer.sdp http://host:8080/rtc/offer
/// ```
enum RTCOfferEndpoint {
    static func mount(on listener: HTTPListener, hub: DataChannelHub) {
        listener.mount(hub.config.path + "/offer") { request, responder in
            answer(request, responder, hub)
        }
    }

    private static let json = [("Content-Type", "application/json")]

    private static func answer(_ request: HTTPRequest, _ responder: HTTPResponder, _ hub: DataChannelHub) {
        guard request.method == "POST" else {
            return responder.respond(status: 405, headers: json + [("Allow", "POST")], body: error("use POST with an SDP offer"))
        }
        let isJSON = request.header("content-type")?.lowercased().hasPrefix("application/json") ?? false
        let sdp: String
        if isJSON {
            switch offerText(fromJSON: request.body) {
            case .success(let text): sdp = text
            case .failure(let problem):
                hub.countBadOffer(problem.message)
                return responder.respond(status: 400, headers: json, body: error(problem.message))
            }
        } else {
            sdp = String(decoding: request.body, as: UTF8.self)
        }
        let pc: PeerConnection
        do {
            pc = try hub.accept(offer: sdp)
        } catch {
            switch error {
            case .full: return responder.respond(status: 503, headers: json, body: Self.error("too many WebRTC sessions (max_sessions \(hub.config.maxSessions))"))
            case .bad(let message): return responder.respond(status: 400, headers: json, body: Self.error(message))
            }
        }
        if isJSON {
            let body = (try? JSONSerialization.data(withJSONObject: ["type": "answer", "sdp": pc.answer.sdp, "session": pc.id], options: [.sortedKeys])) ?? Data()
            responder.respond(status: 200, headers: json + [("X-Session-Id", pc.id)], body: Array(body))
        } else {
            responder.respond(status: 200, headers: [("Content-Type", "application/sdp"), ("X-Session-Id", pc.id)], body: Array(pc.answer.sdp.utf8))
        }
    }

    struct Problem: Error {
        let message: String
    }

    private static func offerText(fromJSON body: [UInt8]) -> Result<String, Problem> {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)), let fields = object as? [String: Any] else {
            return .failure(Problem(message: "the body is not a JSON object; send {\"type\":\"offer\",\"sdp\":\"…\"} or application/sdp"))
        }
        if let type = fields["type"], (type as? String) != "offer" {
            return .failure(Problem(message: "expected an offer, got type \(type)"))
        }
        guard let sdp = fields["sdp"] as? String, !sdp.isEmpty else {
            return .failure(Problem(message: "the JSON body has no \"sdp\" string"))
        }
        return .success(sdp)
    }

    private static func error(_ message: String) -> [UInt8] {
        let body = (try? JSONSerialization.data(withJSONObject: ["error": message], options: [])) ?? Data()
        return Array(body)
    }
}

