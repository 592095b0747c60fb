/// A received STUN message: the decoded ``STUNMessage`` plus the bytes its
/// MESSAGE-INTEGRITY and FINGERPRINT cover, so both can be verified.
///
/// Every length is checked before it is used: garbage throws a
/// ``STUNError``, it never traps.
///
/// ```swift
/// guard STUNPacket.looksLikeSTUN(datagram) else { return handOn(datagram) }  // DTLS, …
/// let packet = try STUNPacket(bytes: datagram)
/// packet.fingerprintIsValid                          // CRC-32 checks out
/// packet.integrityIsValid(key: local.integrityKey)   // HMAC-SHA1 with our ice-pwd
/// packet.message.username                            // "ourUfrag:peerUfrag"
/// ```
public struct STUNPacket: Sendable {
    /// The decoded message.
    public let message: STUNMessage
    /// The datagram as received.
    public let bytes: [UInt8]
    /// Offset of the MESSAGE-INTEGRITY attribute header, if there is one.
    let integrityOffset: Int?
    /// Offset of the FINGERPRINT attribute header, if there is one.
    let fingerprintOffset: Int?

    /// RFC 7983 demultiplexing: first byte 0–3, at least 20 bytes, and the magic cookie.
    public static func looksLikeSTUN(_ datagram: [UInt8]) -> Bool {
        datagram.count >= 20 && datagram[0] <= 3 && datagram.uint32(at: 4) == STUNMessage.magicCookie
    }

    /// Decodes one datagram that must hold exactly one STUN message.
    public init(bytes: [UInt8]) throws(STUNError) {
        guard bytes.count >= 20 else { throw .tooShort(bytes.count) }
        guard bytes[0] & 0xC0 == 0 else { throw .notSTUN("the first two bits are not zero") }
        guard bytes.uint32(at: 4) == STUNMessage.magicCookie else { throw .notSTUN("no magic cookie") }
        let length = Int(bytes.uint16(at: 2))
        guard length % 4 == 0 else { throw .badLength("length \(length) is not a multiple of 4") }
        guard 20 + length == bytes.count else {
            throw .badLength("the header says \(length) bytes of attributes, the datagram has \(bytes.count - 20)")
        }
        // 12 bytes by the check above.
        guard let transactionID = STUNTransactionID(bytes: bytes[8..<20]) else { throw .tooShort(bytes.count) }
        var attributes: [STUNAttribute] = []
        var integrityOffset: Int?
        var fingerprintOffset: Int?
        var offset = 20
        while offset < bytes.count {
            // offset and bytes.count are multiples of 4, so a 4-byte header fits.
            let type = bytes.uint16(at: offset)
            let valueLength = Int(bytes.uint16(at: offset + 2))
            let valueStart = offset + 4
            let next = valueStart + (valueLength + 3) / 4 * 4
            guard next <= bytes.count else { throw .attributeOverrun(type: type, offset: offset) }
            if fingerprintOffset != nil { throw .misplacedAttribute(type: type) }
            let value = bytes[valueStart..<valueStart + valueLength]
            if type == STUNAttributeType.fingerprint {
                fingerprintOffset = offset
            } else if integrityOffset != nil {
                offset = next  // RFC 8489 §14.5: ignore what follows MESSAGE-INTEGRITY, FINGERPRINT aside
                continue
            } else if type == STUNAttributeType.messageIntegrity {
                integrityOffset = offset
            }
            attributes.append(try STUNAttribute.decode(type: type, value: value, transactionID: transactionID))
            offset = next
        }
        message = STUNMessage(type: STUNMessageType(rawValue: bytes.uint16(at: 0)), transactionID: transactionID, attributes: attributes)
        self.bytes = bytes
        self.integrityOffset = integrityOffset
        self.fingerprintOffset = fingerprintOffset
    }

    /// Whether the message carries FINGERPRINT.
    public var hasFingerprint: Bool { fingerprintOffset != nil }

    /// Whether the message carries MESSAGE-INTEGRITY.
    public var hasIntegrity: Bool { integrityOffset != nil }

    /// FINGERPRINT is present and equals CRC-32 of everything before it, xor 0x5354554E.
    public var fingerprintIsValid: Bool {
        guard let offset = fingerprintOffset else { return false }
        let expected = CRC32.checksum(bytes[..<offset]) ^ STUNMessage.fingerprintXOR
        return bytes.uint32(at: offset + 4) == expected
    }

    /// MESSAGE-INTEGRITY is present and is the HMAC-SHA1, under `key`, of
    /// everything before it with the header length counting up to its end.
    /// For ICE, `key` is the receiver's ice-pwd in UTF-8. Compared in constant time.
    public func integrityIsValid(key: [UInt8]) -> Bool {
        guard let offset = integrityOffset else { return false }
        var covered = Array(bytes[..<offset])
        covered.set(bigEndian: UInt16(offset - 20 + 24), at: 2)
        return HMAC.matches(bytes[offset + 4..<offset + 24], key: key, data: covered)
    }
}
