/// The line-by-line SDP reader behind ``SDPOffer/init(parsing:limits:)``.
/// Every check that fails throws an ``SDPError`` carrying the line number.
struct SDPParser {
    /// Values given at one level (session or a section) before inheritance.
    private struct Level {
        var ufrag: String?
        var password: String?
        var fingerprints: [DTLSFingerprint] = []
        var setup: SDPSetupRole?
        var endOfCandidates = false
    }

    private let limits: SDPLimits
    private var session = Level()
    private var sections: [(section: SDPMediaSection, level: Level)] = []
    private var bundleGroups: [[String]] = []
    private var iceLite = false
    private var iceOptions: [String] = []
    private var sawVersion = false
    private var line = 0

    init(limits: SDPLimits) {
        self.limits = limits
    }

    mutating func parse(_ bytes: [UInt8]) throws(SDPError) -> SDPOffer {
        guard bytes.count <= limits.maxBytes else {
            throw SDPError(.tooLarge, "\(bytes.count) bytes, the limit is \(limits.maxBytes)")
        }
        let lineCount = bytes.reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
        guard lineCount <= limits.maxLines else {
            throw SDPError(.tooLarge, "\(lineCount) lines, the limit is \(limits.maxLines)")
        }
        var start = 0
        while start <= bytes.count {
            line += 1
            let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
            var content = bytes[start..<end]
            if content.last == 0x0D { content = content.dropLast() }
            do {
                try read(content)
            } catch {
                throw error.at(line: line)
            }
            start = end + 1
        }
        guard sawVersion else { throw SDPError(.missing, "empty: no 'v=0' line") }
        return finish()
    }

    // MARK: Lines

    private mutating func read(_ bytes: ArraySlice<UInt8>) throws(SDPError) {
        if bytes.isEmpty { return }
        guard bytes.count <= limits.maxLineLength else {
            throw SDPError(.tooLarge, "\(bytes.count) bytes long, the limit is \(limits.maxLineLength)")
        }
        if let bad = bytes.first(where: { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7F }) {
            throw SDPError(.malformedLine, "control character 0x\(String(bad, radix: 16, uppercase: true)) in the line")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw SDPError(.malformedLine, "not valid UTF-8")
        }
        let type = bytes[bytes.startIndex]
        guard bytes.count >= 2, bytes[bytes.startIndex + 1] == UInt8(ascii: "="),
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(type)
        else {
            throw SDPError(.malformedLine, "expected '<letter>=<value>', got '\(SDPToken.excerpt(text))'")
        }
        // Cut by bytes: a combining mark after "=" must not fold into it and vanish.
        let value = Substring(text.utf8.dropFirst(2))
        guard sawVersion else {
            guard type == UInt8(ascii: "v"), value == "0" else {
                throw SDPError(.malformedLine, "an SDP description starts with 'v=0'")
            }
            sawVersion = true
            return
        }
        switch type {
        case UInt8(ascii: "v"): throw SDPError(.malformedLine, "a second 'v=' line")
        case UInt8(ascii: "m"): try readMedia(value)
        case UInt8(ascii: "a"): try readAttribute(value)
        default: return  // o=, s=, t=, c=, b=, …: nothing the answer needs
        }
    }

    private mutating func readMedia(_ value: Substring) throws(SDPError) {
        guard sections.count < limits.maxMediaSections else {
            throw SDPError(.tooLarge, "more than \(limits.maxMediaSections) m= sections")
        }
        let fields = value.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count >= 4 else {
            throw SDPError(.malformedLine, "m=: expected '<media> <port> <proto> <fmt> …', got \(fields.count) field(s)")
        }
        guard SDPToken.isToken(fields[0]) else {
            throw SDPError(.invalidValue, "m=: media '\(SDPToken.excerpt(fields[0]))' is not a token")
        }
        // "<port>/<number of ports>" is allowed; only the port matters.
        let portText = fields[1].split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)[0]
        guard let port = SDPToken.integer(portText, in: 0...65_535) else {
            throw SDPError(.invalidValue, "m=: port '\(SDPToken.excerpt(fields[1]))' is not 0 to 65535")
        }
        guard SDPToken.isVisible(fields[2]) else {
            throw SDPError(.invalidValue, "m=: proto '\(SDPToken.excerpt(fields[2]))' is malformed")
        }
        let section = SDPMediaSection(
            line: line, kind: String(fields[0]), port: port, proto: String(fields[2]), formats: fields[3...].map(String.init)
        )
        sections.append((section, Level()))
    }

    private mutating func readAttribute(_ value: Substring) throws(SDPError) {
        // By bytes too: ":" followed by a combining mark is still the separator.
        let colon = value.utf8.firstIndex(of: UInt8(ascii: ":"))
        let name = colon.map { value[..<$0] } ?? value
        let argument = colon.map { value[value.utf8.index(after: $0)...] } ?? ""
        let inMedia = !sections.isEmpty
        switch name {
        case "ice-ufrag":
            try ICECredentials.check(String(argument), attribute: "ice-ufrag", lengths: ICECredentials.ufragLengths)
            try Self.setOnce(&level.ufrag, String(argument), "a=ice-ufrag")
        case "ice-pwd":
            try ICECredentials.check(String(argument), attribute: "ice-pwd", lengths: ICECredentials.passwordLengths)
            try Self.setOnce(&level.password, String(argument), "a=ice-pwd")
        case "fingerprint":
            if let fingerprint = try DTLSFingerprint.parse(String(argument)) { level.fingerprints.append(fingerprint) }
        case "setup":
            guard let role = SDPSetupRole(rawValue: String(argument)) else {
                throw SDPError(.invalidValue, "a=setup: '\(SDPToken.excerpt(argument))' is not actpass, active, passive or holdconn")
            }
            try Self.setOnce(&level.setup, role, "a=setup")
        case "end-of-candidates":
            level.endOfCandidates = true
        case "ice-lite" where !inMedia:
            iceLite = true
        case "ice-options" where !inMedia:
            iceOptions = argument.split(separator: " ").map(String.init)
        case "group" where !inMedia:
            let fields = argument.split(separator: " ").map(String.init)
            if fields.first == "BUNDLE" { bundleGroups.append(Array(fields.dropFirst())) }
        case "mid" where inMedia:
            guard SDPToken.isToken(argument), argument.utf8.count <= 256 else {
                throw SDPError(.invalidValue, "a=mid: '\(SDPToken.excerpt(argument))' is not a token")
            }
            if let other = sections.dropLast().first(where: { $0.section.mid == String(argument) }) {
                throw SDPError(.invalidValue, "a=mid: '\(argument)' is already used by the m= section on line \(other.section.line)")
            }
            try Self.setOnce(&sections[sections.count - 1].section.mid, String(argument), "a=mid")
        case "bundle-only" where inMedia:
            sections[sections.count - 1].section.bundleOnly = true
        case "sctp-port" where inMedia:
            guard let port = SDPToken.integer(argument, in: 0...65_535) else {
                throw SDPError(.invalidValue, "a=sctp-port: '\(SDPToken.excerpt(argument))' is not 0 to 65535")
            }
            try Self.setOnce(&sections[sections.count - 1].section.sctpPort, port, "a=sctp-port")
        case "max-message-size" where inMedia:
            guard let size = SDPToken.integer(argument, in: 0...Int.max) else {
                throw SDPError(.invalidValue, "a=max-message-size: '\(SDPToken.excerpt(argument))' is not a byte count")
            }
            try Self.setOnce(&sections[sections.count - 1].section.maxMessageSize, size, "a=max-message-size")
        case "sctpmap" where inMedia:
            try Self.setOnce(&sections[sections.count - 1].section.sctpmap, try Self.sctpmap(argument), "a=sctpmap")
        case "rtpmap" where inMedia:
            let current = sections[sections.count - 1].section
            if current.firstFormatMap == nil, let format = current.formats.first, argument.hasPrefix(format + " "),
               argument.utf8.count <= 256, argument.utf8.allSatisfy({ $0 >= 0x20 && $0 <= 0x7E }) {
                sections[sections.count - 1].section.firstFormatMap = String(argument)
            }
        case "candidate" where inMedia:
            guard sections[sections.count - 1].section.candidates.count < limits.maxCandidatesPerSection else {
                throw SDPError(.tooLarge, "more than \(limits.maxCandidatesPerSection) candidates in one m= section")
            }
            sections[sections.count - 1].section.candidates.append(try ICECandidate(sdpValue: String(argument)))
        default:
            return
        }
    }

    /// The level the current line belongs to: the last section, or the session before any `m=`.
    private var level: Level {
        get { sections.last?.level ?? session }
        set {
            if sections.isEmpty { session = newValue } else { sections[sections.count - 1].level = newValue }
        }
    }

    private static func setOnce<Value>(_ slot: inout Value?, _ value: Value, _ attribute: String) throws(SDPError) {
        guard slot == nil else { throw SDPError(.invalidValue, "\(attribute) appears twice at the same level") }
        slot = value
    }

    private static func sctpmap(_ argument: Substring) throws(SDPError) -> SDPMediaSection.SCTPMap {
        let fields = argument.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count == 2 || fields.count == 3 else {
            throw SDPError(.invalidValue, "a=sctpmap: expected '<port> <protocol> [<streams>]'")
        }
        guard let port = SDPToken.integer(fields[0], in: 0...65_535) else {
            throw SDPError(.invalidValue, "a=sctpmap: port '\(SDPToken.excerpt(fields[0]))' is not 0 to 65535")
        }
        guard SDPToken.isToken(fields[1]) else {
            throw SDPError(.invalidValue, "a=sctpmap: protocol '\(SDPToken.excerpt(fields[1]))' is not a token")
        }
        var streams: Int?
        if fields.count == 3 {
            guard let count = SDPToken.integer(fields[2], in: 1...65_535) else {
                throw SDPError(.invalidValue, "a=sctpmap: streams '\(SDPToken.excerpt(fields[2]))' is not 1 to 65535")
            }
            streams = count
        }
        return SDPMediaSection.SCTPMap(port: port, protocolName: String(fields[1]), streams: streams)
    }

    // MARK: Inheritance

    private func finish() -> SDPOffer {
        let media = sections.map { entry -> SDPMediaSection in
            var section = entry.section
            let ufrag = entry.level.ufrag ?? session.ufrag
            let password = entry.level.password ?? session.password
            if let ufrag, let password {
                // Each value was checked on its own line; together they still pass.
                section.credentials = try? ICECredentials(ufrag: ufrag, password: password)
            }
            section.fingerprints = entry.level.fingerprints.isEmpty ? session.fingerprints : entry.level.fingerprints
            section.setup = entry.level.setup ?? session.setup
            section.endOfCandidates = entry.level.endOfCandidates || session.endOfCandidates
            return section
        }
        return SDPOffer(media: media, bundleGroups: bundleGroups, iceLite: iceLite, iceOptions: iceOptions)
    }
}
