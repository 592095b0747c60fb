/// The item/set body that SDK clients send, read in one pass without building
/// a JSON tree:
///
/// ```json
/// {"items":[{"portalid":"cam","payload":"frame 1"},{"payload":"…","portalid":"cam"}]}
/// ```
///
/// Only that shape is taken: one `items` member holding objects with exactly
/// a `portalid` and a `payload`, strings without escapes, control characters
/// or U+FEFF that are valid UTF-8, and JSON whitespace anywhere between
/// tokens. For such a body the general reader (`JSONValue.parse`, which agrees
/// with Foundation) yields the same strings. Anything else — another key, an
/// escape, a number, a duplicate, a trailing comma, bad JSON — is `nil`, and
/// the general reader decides, with its error messages.
///
/// ```swift
/// XRTCPlainSet.items(Array(#"{"items":[{"portalid":"a","payload":"x"}]}"#.utf8))  // [("a", "x")]
/// XRTCPlainSet.items(Array(#"{"items":[{"portalid":"a","payload":"\n"}]}"#.utf8)) // nil
/// ```
enum XRTCPlainSet {
    static func items(_ body: [UInt8]) -> [(portal: String, payload: String)]? {
        body.withUnsafeBufferPointer { bytes in
            var reader = Reader(bytes: bytes)
            return reader.document()
        }
    }

    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var at = 0

        private static let items = Array("items".utf8)
        private static let portalID = Array("portalid".utf8)
        private static let payload = Array("payload".utf8)

        mutating func document() -> [(portal: String, payload: String)]? {
            guard take(0x7B), let key = rawString(), key.text.elementsEqual(Self.items),
                  take(0x3A), take(0x5B) else { return nil }
            var result: [(portal: String, payload: String)] = []
            if !take(0x5D) {
                repeat {
                    guard let item = item() else { return nil }
                    result.append(item)
                } while take(0x2C)
                guard take(0x5D) else { return nil }
            }
            guard take(0x7D) else { return nil }
            skipWhitespace()
            return at == bytes.count ? result : nil
        }

        /// `{"portalid":"…","payload":"…"}`, in either order.
        private mutating func item() -> (portal: String, payload: String)? {
            guard take(0x7B) else { return nil }
            var portal: String?
            var payload: String?
            for index in 0..<2 {
                if index == 1 { guard take(0x2C) else { return nil } }
                guard let key = rawString(), take(0x3A), let value = rawString() else { return nil }
                // ASCII needs no validation; anything else must be UTF-8, as JSON must.
                guard let text = value.ascii ? String(decoding: value.text, as: UTF8.self) : String(validating: value.text, as: UTF8.self)
                else { return nil }
                if key.text.elementsEqual(Self.portalID), portal == nil {
                    portal = text
                } else if key.text.elementsEqual(Self.payload), payload == nil {
                    payload = text
                } else {
                    return nil
                }
            }
            guard take(0x7D), let portal, let payload else { return nil }
            return (portal, payload)
        }

        /// The bytes between the quotes of a string with nothing to unescape
        /// or drop (no `\`, no control character, no U+FEFF: Foundation drops
        /// some of those), after leading whitespace; `ascii` when all are.
        private mutating func rawString() -> (text: UnsafeBufferPointer<UInt8>.SubSequence, ascii: Bool)? {
            guard take(0x22) else { return nil }
            let start = at
            var ascii = true
            while at < bytes.count {
                let b = bytes[at]
                if b == 0x22 {
                    let text = bytes[start..<at]
                    at += 1
                    return (text, ascii)
                }
                if b == 0x5C || b < 0x20 { return nil }
                if b >= 0x80 {
                    if b == 0xEF, at + 2 < bytes.count, bytes[at + 1] == 0xBB, bytes[at + 2] == 0xBF { return nil }
                    ascii = false
                }
                at += 1
            }
            return nil
        }

        /// Skips whitespace, then consumes `byte` if it comes next.
        private mutating func take(_ byte: UInt8) -> Bool {
            skipWhitespace()
            guard at < bytes.count, bytes[at] == byte else { return false }
            at += 1
            return true
        }

        private mutating func skipWhitespace() {
            while at < bytes.count {
                switch bytes[at] {
                case 0x20, 0x09, 0x0A, 0x0D: at += 1
                default: return
                }
            }
        }
    }
}
