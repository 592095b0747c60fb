/// A cheap look at a datagram before OpenSSL sees it: it must be one or
/// more whole DTLS records (RFC 6347 §4.1: type, version 0xFE.., epoch,
/// sequence number, length). Anything else is dropped and counted without
/// touching the SSL object.
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

    /// `nil` when `datagram` is a sequence of whole DTLS records, else why not.
    static func problem(in datagram: [UInt8]) -> String? {
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
            offset += headerLength + length
        }
        return nil
    }
}
