import Testing
@testable import JunctionRTC

@Suite("Malformed SDP offers are refused with the line and the reason")
struct SDPMalformedTests {
    private static let dataLine = "m=application 9 UDP/DTLS/SCTP webrtc-datachannel"

    /// Parses `text`, which must fail, and returns the error.
    private func failure(_ text: String, limits: SDPLimits = SDPLimits()) -> SDPError? {
        do {
            _ = try SDPOffer(parsing: text, limits: limits)
            return nil
        } catch {
            return error
        }
    }

    struct Case: Sendable, CustomStringConvertible {
        let name: String
        let text: String
        let line: Int?
        let kind: SDPError.Kind
        let mentions: String
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "empty", text: "", line: nil, kind: .missing, mentions: "v=0"),
        Case(name: "blank lines only", text: "\r\n\r\n", line: nil, kind: .missing, mentions: "v=0"),
        Case(name: "not SDP", text: "{\"type\":\"offer\"}", line: 1, kind: .malformedLine, mentions: "<letter>=<value>"),
        Case(name: "wrong version", text: "v=1\n", line: 1, kind: .malformedLine, mentions: "v=0"),
        Case(name: "version not first", text: "o=- 1 1 IN IP4 0.0.0.0\nv=0\n", line: 1, kind: .malformedLine, mentions: "v=0"),
        Case(name: "second v=", text: "v=0\nv=0\n", line: 2, kind: .malformedLine, mentions: "second"),
        Case(name: "uppercase type", text: "v=0\nA=foo\n", line: 2, kind: .malformedLine, mentions: "<letter>=<value>"),
        Case(name: "no equals", text: "v=0\nhello\n", line: 2, kind: .malformedLine, mentions: "<letter>=<value>"),
        Case(name: "NUL byte", text: "v=0\ns=a\u{0}b\n", line: 2, kind: .malformedLine, mentions: "control character 0x0"),
        Case(name: "lone CR", text: "v=0\ns=a\rb\n", line: 2, kind: .malformedLine, mentions: "control character 0xD"),
        Case(name: "m= too short", text: "v=0\nm=application 9 UDP/DTLS/SCTP\n", line: 2, kind: .malformedLine, mentions: "m="),
        Case(name: "m= port", text: "v=0\nm=application 70000 UDP/DTLS/SCTP webrtc-datachannel\n", line: 2, kind: .invalidValue, mentions: "port"),
        Case(name: "m= port sign", text: "v=0\nm=application -9 UDP/DTLS/SCTP webrtc-datachannel\n", line: 2, kind: .invalidValue, mentions: "port"),
        Case(
            name: "ufrag too short", text: "v=0\n\(dataLine)\na=ice-ufrag:abc\n", line: 3, kind: .invalidValue,
            mentions: "a=ice-ufrag: 3 characters, need 4 to 256"),
        Case(
            name: "ufrag bad char", text: "v=0\n\(dataLine)\na=ice-ufrag:ab-cd\n", line: 3, kind: .invalidValue,
            mentions: "only A-Z"),
        Case(
            name: "pwd too short", text: "v=0\na=ice-pwd:short\n", line: 2, kind: .invalidValue,
            mentions: "a=ice-pwd: 5 characters, need 22"),
        Case(
            name: "duplicate ufrag", text: "v=0\n\(dataLine)\na=ice-ufrag:abcd\na=ice-ufrag:efgh\n", line: 4, kind: .invalidValue,
            mentions: "appears twice"),
        Case(
            name: "fingerprint not hex", text: "v=0\n\(dataLine)\na=fingerprint:sha-256 XY:00\n", line: 3, kind: .invalidValue,
            mentions: "'XY' is not a hex byte"),
        Case(
            name: "fingerprint length", text: "v=0\n\(dataLine)\na=fingerprint:sha-256 AB:CD\n", line: 3, kind: .invalidValue,
            mentions: "needs 32 bytes, got 2"),
        Case(
            name: "fingerprint one field", text: "v=0\n\(dataLine)\na=fingerprint:sha-256\n", line: 3, kind: .invalidValue,
            mentions: "1 field"),
        Case(
            name: "fingerprint trailing colon", text: "v=0\n\(dataLine)\na=fingerprint:sha-1 AB:\n", line: 3, kind: .invalidValue,
            mentions: "is not a hex byte"),
        Case(name: "setup", text: "v=0\n\(dataLine)\na=setup:both\n", line: 3, kind: .invalidValue, mentions: "'both'"),
        Case(name: "sctp-port", text: "v=0\n\(dataLine)\na=sctp-port:five\n", line: 3, kind: .invalidValue, mentions: "a=sctp-port"),
        Case(
            name: "max-message-size negative", text: "v=0\n\(dataLine)\na=max-message-size:-1\n", line: 3, kind: .invalidValue,
            mentions: "a=max-message-size"),
        Case(
            name: "max-message-size huge", text: "v=0\n\(dataLine)\na=max-message-size:99999999999999999999999\n", line: 3,
            kind: .invalidValue, mentions: "a=max-message-size"),
        Case(
            name: "sctpmap", text: "v=0\nm=application 9 DTLS/SCTP 5000\na=sctpmap:5000\n", line: 3, kind: .invalidValue,
            mentions: "a=sctpmap"),
        Case(
            name: "sctpmap streams", text: "v=0\nm=application 9 DTLS/SCTP 5000\na=sctpmap:5000 webrtc-datachannel 0\n", line: 3,
            kind: .invalidValue, mentions: "streams"),
        Case(
            name: "candidate too short", text: "v=0\n\(dataLine)\na=candidate:1 1 udp 2130706431 10.0.0.1 5000\n", line: 3,
            kind: .invalidValue, mentions: "a=candidate"),
        Case(
            name: "candidate no typ", text: "v=0\n\(dataLine)\na=candidate:1 1 udp 2130706431 10.0.0.1 5000 type host\n", line: 3,
            kind: .invalidValue, mentions: "typ"),
        Case(
            name: "candidate component", text: "v=0\n\(dataLine)\na=candidate:1 0 udp 1 10.0.0.1 5000 typ host\n", line: 3,
            kind: .invalidValue, mentions: "component"),
        Case(
            name: "candidate priority", text: "v=0\n\(dataLine)\na=candidate:1 1 udp 4294967296 10.0.0.1 5000 typ host\n", line: 3,
            kind: .invalidValue, mentions: "priority"),
        Case(
            name: "candidate port", text: "v=0\n\(dataLine)\na=candidate:1 1 udp 1 10.0.0.1 65536 typ host\n", line: 3,
            kind: .invalidValue, mentions: "port"),
        Case(
            name: "candidate dangling extension", text: "v=0\n\(dataLine)\na=candidate:1 1 udp 1 10.0.0.1 5 typ host generation\n",
            line: 3, kind: .invalidValue, mentions: "has no value"),
        Case(
            name: "candidate rport", text: "v=0\n\(dataLine)\na=candidate:1 1 udp 1 10.0.0.1 5 typ srflx raddr 0.0.0.0 rport x\n",
            line: 3, kind: .invalidValue, mentions: "port"),
        Case(
            name: "candidate foundation", text: "v=0\n\(dataLine)\na=candidate:f*o 1 udp 1 10.0.0.1 5 typ host\n",
            line: 3, kind: .invalidValue, mentions: "foundation"),
        Case(
            name: "duplicate mid", text: "v=0\n\(dataLine)\na=mid:0\n\(dataLine)\na=mid:0\n", line: 5, kind: .invalidValue,
            mentions: "already used by the m= section on line 2"),
        Case(name: "mid not a token", text: "v=0\n\(dataLine)\na=mid:a:b\n", line: 3, kind: .invalidValue, mentions: "a=mid"),
        // Lines are cut by bytes: a combining mark (U+0301) does not fold into the "=" or ":" before it.
        Case(
            name: "combining mark after m=", text: "v=0\nm=\u{301}application 9 UDP/DTLS/SCTP webrtc-datachannel\n", line: 2,
            kind: .invalidValue, mentions: "is not a token"),
        Case(
            name: "combining mark after a=ice-ufrag:", text: "v=0\n\(dataLine)\na=ice-ufrag:\u{301}abcd\n", line: 3,
            kind: .invalidValue, mentions: "a=ice-ufrag"),
    ]

    @Test("Each malformed offer fails on the right line with a clear message", arguments: cases)
    func malformed(_ example: Case) throws {
        let error = try #require(failure(example.text), "\(example.name) parsed")
        #expect(error.kind == example.kind, "\(example.name): \(error)")
        #expect(error.line == example.line, "\(example.name): \(error)")
        #expect(error.description.contains(example.mentions), "\(example.name): \(error)")
    }

    @Test("The same offers with CRLF endings fail on the same lines", arguments: cases)
    func malformedCRLF(_ example: Case) throws {
        let error = try #require(failure(crlf(example.text)), "\(example.name) parsed")
        #expect(error.line == example.line, "\(example.name): \(error)")
    }

    @Test("Bytes that are not UTF-8 are refused")
    func invalidUTF8() throws {
        var bytes = Array("v=0\ns=".utf8)
        bytes += [0xC3, 0x28, 0x0A]
        do {
            _ = try SDPOffer(parsing: bytes)
            Issue.record("parsed")
        } catch {
            #expect(error.line == 2 && error.kind == .malformedLine && error.message.contains("UTF-8"))
        }
    }

    @Test("Limits: size, line count, line length, sections, candidates")
    func limits() throws {
        var limits = SDPLimits()
        limits.maxBytes = 100
        #expect(failure(String(repeating: "s=x\n", count: 30), limits: limits)?.kind == .tooLarge)

        limits = SDPLimits()
        limits.maxLines = 10
        let manyLines = "v=0\n" + String(repeating: "a=x\n", count: 20)
        let lines = try #require(failure(manyLines, limits: limits))
        #expect(lines.kind == .tooLarge && lines.line == nil && lines.message.contains("lines"))

        limits = SDPLimits()
        limits.maxLineLength = 50
        let long = try #require(failure("v=0\ns=" + String(repeating: "x", count: 60) + "\n", limits: limits))
        #expect(long.kind == .tooLarge && long.line == 2)

        limits = SDPLimits()
        limits.maxMediaSections = 2
        let sections = try #require(failure("v=0\n" + String(repeating: Self.dataLine + "\n", count: 3), limits: limits))
        #expect(sections.kind == .tooLarge && sections.line == 4)

        limits = SDPLimits()
        limits.maxCandidatesPerSection = 1
        let candidate = "a=candidate:1 1 udp 1 10.0.0.1 5 typ host\n"
        let candidates = try #require(failure("v=0\n\(Self.dataLine)\n" + candidate + candidate, limits: limits))
        #expect(candidates.kind == .tooLarge && candidates.line == 4)

        // The defaults refuse a megabyte of garbage at once, without reading it line by line.
        let huge = String(repeating: "a", count: 1 << 20)
        #expect(failure(huge)?.kind == .tooLarge)
    }

    @Test("Passwords never appear in error messages")
    func noSecrets() throws {
        let error = try #require(failure("v=0\na=ice-pwd:secret!secret!secret!secret\n"))
        #expect(!error.description.contains("secret"))
    }

    @Test("Random mutations of real offers throw or parse, never trap")
    func mutations() {
        var random = SplitMix64(state: 0x5D9)
        let seeds = Fixtures.offers
        let alphabet = Array(" :=/\r\n\t0aZ-.~".utf8) + [0x00, 0xFF, 0xC3]
        var parsed = 0
        for round in 0..<3_000 {
            var bytes = Array(crlf(seeds[round % seeds.count]).utf8)
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let index = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: bytes[index] = alphabet.randomElement(using: &random) ?? 0
                case 1: bytes.remove(at: index)
                default: bytes.insert(alphabet.randomElement(using: &random) ?? 0, at: index)
                }
            }
            if (try? SDPOffer(parsing: bytes)) != nil { parsed += 1 }
        }
        // Most single-byte changes land in values that are still valid; some must fail.
        #expect(parsed > 0 && parsed < 3_000)
    }
}
