/// A cheap look at a datagram before OpenSSL sees it: it must be one or
/// more whole DTLS records (RFC 6347 §4.1: type, version 0xFE.., epoch,
/// sequence number, length). Anything else is dropped and counted without
/// touching the SSL object. A record of a protected epoch (≥ 1) that is
/// shorter than the cipher's overhead cannot authenticate and is refused
/// too: OpenSSL 3.0.19 answers one with a fatal internal_error alert
/// instead of discarding it (RFC 6347 §4.1.2.7), so a single spoofed
/// datagram would end the association.
///
/// ```swift
/// DTLSRecordScan.problem(in: [0x16, 0xFE, 0xFD] + …)  // nil: looks like DTLS
/// DTLSRecordScan.problem(in: [0x00, 0x01])            // "2 bytes, a DTLS record header is 13"
/// ```
enum DTLSRecordScan {
    /// The DTLS record header length.
    static let headerLength = 13
    /// change_cipher_spec (20) … tls12_cid (25).
    static let contentTypes: ClosedRange<UInt8> = 20...25

    /// The smallest protected record any offered suite produces: a
    /// ChaCha20-Poly1305 tag. Used until the suite is known.
    static let smallestProtectedRecord = 16

    /// The smallest protected record `cipher` (OpenSSL's suite name)
    /// produces: AES-GCM's explicit nonce and tag (24), ChaCha20-Poly1305's
    /// tag (16), or a CBC suite's IV and one block holding the SHA-1 MAC
    /// and padding (48).
    static func smallestProtectedRecord(cipher: String) -> Int {
        if cipher.contains("GCM") { return 8 + 16 }
        if cipher.contains("CHACHA20") { return 16 }
        return 16 + 32
    }

    /// `nil` when `datagram` is a sequence of whole DTLS records, each
    /// protected one at least `minimumProtected` bytes long; else why not.
    static func problem(in datagram: [UInt8], minimumProtected: Int = smallestProtectedRecord) -> String? {
        guard !datagram.isEmpty else { return "empty datagram" }
        var offset = 0
        while offset < datagram.count {
            let remaining = datagram.count - offset
            guard remaining >= headerLength else {
                return "\(remaining) bytes at offset \(offset), a DTLS record header is \(headerLength)"
            }
            guard contentTypes.contains(datagram[offset]) else {
                return "content type \(datagram[offset]) at offset \(offset) is not a DTLS record"
            }
            guard datagram[offset + 1] == 0xFE else {
                return "version \(datagram.uint16(at: offset + 1)) at offset \(offset) is not DTLS"
            }
            let length = Int(datagram.uint16(at: offset + 11))
            guard length <= remaining - headerLength else {
                return "record length \(length) at offset \(offset) runs past the datagram (\(datagram.count) bytes)"
            }
            let epoch = datagram.uint16(at: offset + 3)
            guard epoch == 0 || length >= minimumProtected else {
                return "a \(length)-byte record at offset \(offset) in epoch \(epoch) is shorter than the cipher's \(minimumProtected)"
            }
            offset += headerLength + length
        }
        return nil
    }
}
