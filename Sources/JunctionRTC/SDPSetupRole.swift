/// The `a=setup` value (RFC 4145, RFC 8842): which side opens the DTLS
/// association. `active` is the DTLS client, `passive` the server.
///
/// ```swift
/// SDPSetupRole.actpass.answer   // .active: we become the DTLS client
/// SDPSetupRole.active.answer    // .passive
/// SDPSetupRole.holdconn.answer  // nil: nothing to answer
/// ```
public enum SDPSetupRole: String, Sendable, CaseIterable {
    case actpass
    case active
    case passive
    case holdconn

    /// The role an answerer takes for this offered one: `active` for
    /// `actpass` (RFC 8842 recommends it; aiortc ≤ 1.15 needs it) and for
    /// `passive`, `passive` for `active`, none for `holdconn`. Never `actpass`.
    public var answer: SDPSetupRole? {
        switch self {
        case .actpass, .passive: return .active
        case .active: return .passive
        case .holdconn: return nil
        }
    }
}
