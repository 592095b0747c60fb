/// Bounds on an SDP offer, checked before anything else is parsed: real
/// offers are a few kilobytes; these keep a hostile one cheap to refuse.
///
/// ```swift
/// var limits = SDPLimits()
/// limits.maxLines = 200
/// let offer = try SDPOffer(parsing: text, limits: limits)
/// ```
public struct SDPLimits: Sendable, Equatable {
    /// Total size in UTF-8 bytes.
    public var maxBytes = 65_536
    /// Lines, blank ones included.
    public var maxLines = 2_000
    /// Bytes in one line, its line ending excluded.
    public var maxLineLength = 4_096
    /// `m=` sections.
    public var maxMediaSections = 64
    /// `a=candidate` lines in one section.
    public var maxCandidatesPerSection = 256

    public init() {}
}
