/// One ICE candidate as SDP writes it (RFC 8839 §5.1): the value of an
/// `a=candidate:` line, or of a trickled `candidate:` string.
///
/// ```swift
/// let host = ICECandidate.host(address: "192.0.2.10", port: 50_000)
/// host.sdpValue  // "1 1 udp 2130706431 192.0.2.10 50000 typ host"
/// let peer = try ICECandidate(sdpValue: "candidate:1 1 udp 2113937151 3f1a….local 54321 typ host generation 0")
/// peer.isMDNS    // true
/// ```
public struct ICECandidate: Sendable, Hashable, CustomStringConvertible {
    /// An extension attribute after the standard fields (`generation 0`, `ufrag …`, `network-cost 10`).
    public struct Extension: Sendable, Hashable {
        public let name: String
        public let value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public var foundation: String
    /// 1 for RTP or data; 2 for RTCP without rtcp-mux.
    public var component: Int
    /// `udp` or `tcp` (as written; compare case-insensitively).
    public var transport: String
    public var priority: UInt32
    /// An IPv4 or IPv6 address, or a host name (Chromium's mDNS `….local`).
    public var address: String
    public var port: Int
    /// `host`, `srflx`, `prflx`, `relay`, or an extension type.
    public var type: String
    public var relatedAddress: String?
    public var relatedPort: Int?
    public var extensions: [Extension]

    public init(
        foundation: String, component: Int, transport: String, priority: UInt32, address: String, port: Int,
        type: String, relatedAddress: String? = nil, relatedPort: Int? = nil, extensions: [Extension] = []
    ) {
        self.foundation = foundation
        self.component = component
        self.transport = transport
        self.priority = priority
        self.address = address
        self.port = port
        self.type = type
        self.relatedAddress = relatedAddress
        self.relatedPort = relatedPort
        self.extensions = extensions
    }

    /// A UDP host candidate with the RFC 8445 §5.1.2 priority for `host`
    /// (type preference 126, local preference 65535): 2130706431 for component 1.
    public static func host(address: String, port: Int, component: Int = 1, foundation: String = "1") -> ICECandidate {
        ICECandidate(
            foundation: foundation, component: component, transport: "udp",
            priority: priority(typePreference: 126, localPreference: 65_535, component: component),
            address: address, port: port, type: "host"
        )
    }

    /// RFC 8445 §5.1.2.1: `2^24·type + 2^8·local + (256 − component)`.
    public static func priority(typePreference: Int, localPreference: Int, component: Int) -> UInt32 {
        let type = UInt32(clamping: min(max(typePreference, 0), 126))
        let local = UInt32(clamping: min(max(localPreference, 0), 65_535))
        let componentPart = UInt32(clamping: 256 - min(max(component, 1), 256))
        return type << 24 | local << 8 | componentPart
    }

    /// Parses a candidate value, with or without the leading `candidate:`.
    public init(sdpValue: String) throws(SDPError) {
        var text = Substring(sdpValue)
        if text.hasPrefix("candidate:") { text = text.dropFirst("candidate:".count) }
        let fields = text.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count >= 8, fields[6] == "typ" else {
            throw SDPError(.invalidValue, "a=candidate: expected '<foundation> <component> <transport> <priority> <address> <port> typ <type>'")
        }
        guard fields[0].utf8.count <= 32, fields[0].utf8.allSatisfy(SDPToken.isICEChar), !fields[0].isEmpty else {
            throw SDPError(.invalidValue, "a=candidate: foundation '\(SDPToken.excerpt(fields[0]))' is not 1 to 32 ice-chars")
        }
        guard let component = SDPToken.integer(fields[1], in: 1...256) else {
            throw SDPError(.invalidValue, "a=candidate: component '\(SDPToken.excerpt(fields[1]))' is not 1 to 256")
        }
        guard SDPToken.isToken(fields[2]) else {
            throw SDPError(.invalidValue, "a=candidate: transport '\(SDPToken.excerpt(fields[2]))' is not a token")
        }
        guard let priority = SDPToken.integer(fields[3], in: 0...Int(UInt32.max)) else {
            throw SDPError(.invalidValue, "a=candidate: priority '\(SDPToken.excerpt(fields[3]))' is not 0 to 4294967295")
        }
        let address = try Self.address(fields[4])
        let port = try Self.port(fields[5])
        guard SDPToken.isToken(fields[7]) else {
            throw SDPError(.invalidValue, "a=candidate: type '\(SDPToken.excerpt(fields[7]))' is not a token")
        }
        self.init(
            foundation: String(fields[0]), component: component, transport: String(fields[2]), priority: UInt32(priority),
            address: address, port: port, type: String(fields[7])
        )
        var rest = fields[8...]
        while let name = rest.popFirst() {
            guard let value = rest.popFirst() else {
                throw SDPError(.invalidValue, "a=candidate: '\(SDPToken.excerpt(name))' has no value")
            }
            switch name {
            case "raddr": relatedAddress = try Self.address(value)
            case "rport": relatedPort = try Self.port(value)
            default:
                guard SDPToken.isVisible(name), SDPToken.isVisible(value) else {
                    throw SDPError(.invalidValue, "a=candidate: extension '\(SDPToken.excerpt(name))' is malformed")
                }
                extensions.append(Extension(name: String(name), value: String(value)))
            }
        }
    }

    private static func address(_ field: Substring) throws(SDPError) -> String {
        guard SDPToken.isVisible(field), field.utf8.count <= 255 else {
            throw SDPError(.invalidValue, "a=candidate: '\(SDPToken.excerpt(field))' is not an address")
        }
        return String(field)
    }

    private static func port(_ field: Substring) throws(SDPError) -> Int {
        guard let port = SDPToken.integer(field, in: 0...65_535) else {
            throw SDPError(.invalidValue, "a=candidate: port '\(SDPToken.excerpt(field))' is not 0 to 65535")
        }
        return port
    }

    /// The candidate in SDP form, without `candidate:` (the `a=candidate:` value).
    public var sdpValue: String {
        var text = "\(foundation) \(component) \(transport) \(priority) \(address) \(port) typ \(type)"
        if let relatedAddress { text += " raddr \(relatedAddress)" }
        if let relatedPort { text += " rport \(relatedPort)" }
        for item in extensions { text += " \(item.name) \(item.value)" }
        return text
    }

    /// `"candidate:<sdpValue>"`, the form trickled candidates take.
    public var description: String { "candidate:\(sdpValue)" }

    /// Whether the address is an mDNS name (`….local`), which an ICE-lite
    /// agent need not resolve: the peer's checks reveal its address.
    public var isMDNS: Bool { address.lowercased().hasSuffix(".local") }

    /// Whether the address is IPv6 (it contains a colon).
    public var isIPv6: Bool { address.contains(":") }
}
