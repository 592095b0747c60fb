/// Character classes and small helpers shared by the SDP parser.
enum SDPToken {
    /// RFC 4566 `token-char`: visible ASCII except `"`, `(`, `)`, `,`, `/`, `:`, `;`…
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x21, 0x23...0x27, 0x2A...0x2B, 0x2D...0x2E, 0x30...0x39, 0x41...0x5A, 0x5E...0x7E: return true
        default: return false
        }
    }

    /// RFC 8839 `ice-char`: `ALPHA / DIGIT / "+" / "/"`.
    static func isICEChar(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "/"):
            return true
        default: return false
        }
    }

    /// Visible ASCII (`%x21-7E`): addresses (IPv6 has colons) and byte-string values.
    static func isVisible(_ text: some StringProtocol) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { $0 >= 0x21 && $0 <= 0x7E }
    }

    /// Whether `text` is non-empty and all token characters.
    static func isToken(_ text: some StringProtocol) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy(isTokenByte)
    }

    /// At most 40 characters of `text`, for error messages.
    static func excerpt(_ text: some StringProtocol) -> String {
        text.count <= 40 ? String(text) : String(text.prefix(40)) + "…"
    }

    /// An integer in `range`, or `nil` (no sign, no spaces, decimal only).
    static func integer(_ text: some StringProtocol, in range: ClosedRange<Int>) -> Int? {
        guard !text.isEmpty, text.utf8.count <= 19, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            let value = Int(text), range.contains(value)
        else { return nil }
        return value
    }
}
