/// Writes the lines of an ``SDPAnswer``.
struct SDPAnswerWriter {
    let offer: SDPOffer
    let local: SDPAnswer.Local
    /// The offer's section we accept.
    let live: SDPMediaSection
    let setup: SDPSetupRole

    var text: String {
        var lines = [
            "v=0",
            "o=- \(local.sessionID) \(local.sessionVersion) IN IP4 127.0.0.1",
            "s=-",
            "t=0 0",
        ]
        if let mid = live.mid, offer.bundleGroup(containing: mid) != nil {
            lines.append("a=group:BUNDLE \(mid)")
        }
        lines.append("a=ice-lite")
        for section in offer.media {
            if section.line == live.line {
                lines += liveSection()
            } else {
                lines += rejected(section)
            }
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    private func liveSection() -> [String] {
        let first = local.candidates.first
        var lines: [String]
        if live.isLegacySCTP {
            lines = ["m=application \(first?.port ?? 9) DTLS/SCTP \(local.sctpPort)"]
        } else {
            lines = ["m=application \(first?.port ?? 9) UDP/DTLS/SCTP webrtc-datachannel"]
        }
        lines.append(connection(first))
        if let mid = live.mid { lines.append("a=mid:\(mid)") }
        lines += transport()
        if live.isLegacySCTP {
            lines.append("a=sctpmap:\(local.sctpPort) webrtc-datachannel 65535")
        } else {
            lines.append("a=sctp-port:\(local.sctpPort)")
        }
        lines.append("a=max-message-size:\(local.maxMessageSize)")
        if !local.candidates.isEmpty {
            lines += local.candidates.map { "a=candidate:\($0.sdpValue)" }
            lines.append("a=end-of-candidates")
        }
        return lines
    }

    /// Port 0, the offered proto and first format, `a=inactive`. The ICE and
    /// DTLS lines are repeated because aiortc checks them in every section
    /// of an answer, and audio/video get `a=rtcp-mux` and the first format's
    /// `a=rtpmap` for the same reason.
    private func rejected(_ section: SDPMediaSection) -> [String] {
        var lines = [
            "m=\(section.kind) 0 \(section.proto)\(section.formats.first.map { " \($0)" } ?? "")",
            "c=IN IP4 0.0.0.0",
        ]
        if let mid = section.mid { lines.append("a=mid:\(mid)") }
        lines.append("a=inactive")
        lines += transport()
        if section.kind == "audio" || section.kind == "video" {
            lines.append("a=rtcp-mux")
            if let map = section.firstFormatMap { lines.append("a=rtpmap:\(map)") }
        }
        return lines
    }

    private func transport() -> [String] {
        [
            "a=ice-ufrag:\(local.credentials.ufrag)",
            "a=ice-pwd:\(local.credentials.password)",
            "a=fingerprint:\(local.fingerprint.sdpValue)",
            "a=setup:\(setup.rawValue)",
        ]
    }

    private func connection(_ candidate: ICECandidate?) -> String {
        guard let candidate else { return "c=IN IP4 0.0.0.0" }
        return candidate.isIPv6 ? "c=IN IP6 \(candidate.address)" : "c=IN IP4 \(candidate.address)"
    }
}
