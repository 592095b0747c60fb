// libFuzzer target: an SDP offer as POST /rtc/offer receives it, and the answer built from it.
// Built only by scripts/fuzz.sh (swiftc -sanitize=fuzzer), never by SwiftPM.
import JunctionRTC

private let local = try! SDPAnswer.Local(
    credentials: ICECredentials(ufrag: "Fz0Q", password: "FuzzFuzzFuzzFuzzFuzz+/"),
    fingerprint: DTLSFingerprint(algorithm: .sha256, bytes: Array(0..<32)),
    candidates: [.host(address: "127.0.0.1", port: 50_000), .host(address: "::1", port: 50_001)],
    sessionID: 1
)

/// Room for the answer to an offer at the default limits (it repeats lines per section).
private let answerLimits: SDPLimits = {
    var limits = SDPLimits()
    limits.maxBytes = 1 << 20
    limits.maxLines = 20_000
    return limits
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSDP(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let offer: SDPOffer
    do {
        offer = try SDPOffer(parsing: bytes)
    } catch {
        _ = error.description
        return 0
    }
    for section in offer.media {
        // What the parser read stands in the input, byte for byte, as a line of its own.
        if let mid = section.mid { expect(hasLine(bytes, "a=mid:\(mid)"), "a=mid:\(mid) is not a line of the offer") }
        if let ufrag = section.credentials?.ufrag { expect(hasLine(bytes, "a=ice-ufrag:\(ufrag)"), "ufrag \(ufrag) is not a line") }
        _ = (section.isDataChannel, section.isUsableDataChannel, section.remoteSCTPPort, section.remoteMaxMessageSize)
        _ = section.mid.map { offer.bundleGroup(containing: $0) }
        _ = section.credentials?.description
        for fingerprint in section.fingerprints {
            expect((try? DTLSFingerprint(sdpValue: fingerprint.sdpValue)) == fingerprint, "fingerprint round trip")
        }
        for candidate in section.candidates {
            _ = (candidate.isMDNS, candidate.isIPv6, candidate.description)
            expect((try? ICECandidate(sdpValue: candidate.sdpValue)) == candidate, "candidate round trip")
        }
    }

    let answer: SDPAnswer
    do {
        answer = try SDPAnswer(offer: offer, local: local)
    } catch {
        expect(error.kind == .missing || error.kind == .unsupported, "unexpected refusal: \(error)")
        return 0
    }
    expect(answer.setup != .actpass && answer.remote == offer.dataChannel, "answer setup or remote section")
    // Our own answer must be SDP we would read, echoing every section in order.
    let echoed: SDPOffer
    do {
        echoed = try SDPOffer(parsing: answer.sdp, limits: answerLimits)
    } catch {
        fatalError("the answer does not parse: \(error)\n\(answer.sdp)")
    }
    expect(echoed.media.map(\.kind) == offer.media.map(\.kind), "answer sections differ from the offer's")
    expect(echoed.media.map(\.mid) == offer.media.map(\.mid), "answer mids differ from the offer's")
    expect(echoed.dataChannel?.mid == answer.remote.mid, "the live section moved")
    expect(echoed.dataChannel?.credentials == local.credentials, "the answer lost our credentials")
    return 0
}

/// Whether `line` is one of the lines of `bytes` (after a LF, before a CR, LF or the end).
private func hasLine(_ bytes: [UInt8], _ line: String) -> Bool {
    let needle = [UInt8(ascii: "\n")] + Array(line.utf8)
    return bytes.ranges(of: needle).contains { range in
        range.upperBound == bytes.count || bytes[range.upperBound] == 0x0D || bytes[range.upperBound] == 0x0A
    }
}
