/// An ICE username fragment and password (RFC 8839 §5.4): 4–256 and
/// 22–256 `ice-char`s (`[A-Za-z0-9+/]`; Chromium refuses anything else).
/// The password is the STUN MESSAGE-INTEGRITY key and never printed.
///
/// ```swift
/// let local = try ICECredentials.random()      // 16-char ufrag, 32-char pwd
/// let remote = try ICECredentials(ufrag: "h6vY", password: "VOkJxbRl1RmTxUk/WvJxBt")
/// print(remote)  // "ICECredentials(ufrag: h6vY, password: <22 chars>)"
/// ```
public struct ICECredentials: Sendable, Hashable, CustomStringConvertible {
    /// Allowed ufrag lengths (RFC 8839 §5.4).
    public static let ufragLengths = 4...256
    /// Allowed password lengths (RFC 8839 §5.4).
    public static let passwordLengths = 22...256

    /// The username fragment: the part of a STUN USERNAME before or after the colon.
    public let ufrag: String
    /// The password: key of the STUN MESSAGE-INTEGRITY on checks sent to this side.
    public let password: String

    /// Checked credentials: lengths and characters as RFC 8839 requires.
    public init(ufrag: String, password: String) throws(SDPError) {
        try Self.check(ufrag, attribute: "ice-ufrag", lengths: Self.ufragLengths)
        try Self.check(password, attribute: "ice-pwd", lengths: Self.passwordLengths)
        self.ufrag = ufrag
        self.password = password
    }

    /// Fresh random credentials from OpenSSL's generator: a 16-character
    /// ufrag (96 bits) and a 32-character password (192 bits).
    public static func random() throws(OpenSSLError) -> ICECredentials {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        // 64 symbols: the low 6 bits of each random byte pick one without bias.
        let bytes = try SecureRandom.bytes(48)
        let text = bytes.map { alphabet[Int($0 & 0x3F)] }
        return ICECredentials(
            unchecked: String(decoding: text[0..<16], as: UTF8.self),
            password: String(decoding: text[16..<48], as: UTF8.self)
        )
    }

    private init(unchecked ufrag: String, password: String) {
        self.ufrag = ufrag
        self.password = password
    }

    /// The password as the STUN short-term credential key (its UTF-8 bytes).
    public var integrityKey: [UInt8] { Array(password.utf8) }

    public var description: String { "ICECredentials(ufrag: \(ufrag), password: <\(password.utf8.count) chars>)" }

    /// Throws unless `value` is `lengths` ice-chars long; the value itself stays out of the message.
    static func check(_ value: String, attribute: String, lengths: ClosedRange<Int>) throws(SDPError) {
        let count = value.utf8.count
        guard lengths.contains(count) else {
            throw SDPError(.invalidValue, "a=\(attribute): \(count) characters, need \(lengths.lowerBound) to \(lengths.upperBound)")
        }
        guard value.utf8.allSatisfy(SDPToken.isICEChar) else {
            throw SDPError(.invalidValue, "a=\(attribute): only A-Z, a-z, 0-9, '+' and '/' are allowed")
        }
    }
}
