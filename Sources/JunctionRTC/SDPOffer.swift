/// A parsed SDP offer (RFC 8866 syntax; the WebRTC attributes of RFC 8839,
/// 8841, 8842, 8843). Accepts CRLF or LF line endings; refuses anything
/// over ``SDPLimits`` or malformed with an ``SDPError`` naming the line.
///
/// Only what a data-channel answerer needs is kept: sections, mids,
/// BUNDLE groups, ICE credentials and candidates, fingerprints, setup,
/// and the SCTP attributes. Unknown attributes and line types are ignored.
///
/// ```swift
/// let offer = try SDPOffer(parsing: body)
/// guard let data = offer.dataChannel else { /* nothing to answer */ }
/// print(data.mid ?? "-", data.candidates.count, data.fingerprints.map(\.algorithm))
/// ```
public struct SDPOffer: Sendable, Equatable {
    /// The `m=` sections in order.
    public var media: [SDPMediaSection]
    /// Each `a=group:BUNDLE` line's mids.
    public var bundleGroups: [[String]]
    /// A session-level `a=ice-lite`.
    public var iceLite: Bool
    /// Session-level `a=ice-options` tokens (`trickle`, `ice2`, …).
    public var iceOptions: [String]

    init(media: [SDPMediaSection], bundleGroups: [[String]], iceLite: Bool, iceOptions: [String]) {
        self.media = media
        self.bundleGroups = bundleGroups
        self.iceLite = iceLite
        self.iceOptions = iceOptions
    }

    /// Parses `text`.
    public init(parsing text: String, limits: SDPLimits = SDPLimits()) throws(SDPError) {
        try self.init(parsing: Array(text.utf8), limits: limits)
    }

    /// Parses raw bytes (an HTTP body, say); they must be UTF-8.
    public init(parsing bytes: [UInt8], limits: SDPLimits = SDPLimits()) throws(SDPError) {
        var parser = SDPParser(limits: limits)
        self = try parser.parse(bytes)
    }

    /// The first data-channel section this answerer can use (see
    /// ``SDPMediaSection/isUsableDataChannel``).
    public var dataChannel: SDPMediaSection? { media.first(where: \.isUsableDataChannel) }

    /// The BUNDLE group that contains `mid`, if any.
    public func bundleGroup(containing mid: String) -> [String]? {
        bundleGroups.first { $0.contains(mid) }
    }
}
